"""The sandbox over HTTP: E-utilities under /entrez/eutils/, admin endpoints under /sandbox/
(loopback only), and the faults a client must survive:

- 3 requests/s without an api_key and 10/s with one, answered with 429 beyond that;
- error statuses, delays, truncated and malformed bodies, errors inside a 200, injected at
  random, deterministically with a seed, or scripted request by request.

Nothing here logs a query string: api_key, tool and email are accepted and never logged.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import json
import logging
import random
import re
import socket
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from evidencebot.errors import SandboxError
from evidencebot.redact import redact
from evidencebot.sandbox.config import FAIL_STATUSES, SandboxConfig
from evidencebot.sandbox.corpus import Corpus
from evidencebot.sandbox.dates import format_date
from evidencebot.sandbox.eutils import EUtilities, Params, Reply, error_body, json_reply

log = logging.getLogger("evidencebot.sandbox")

EUTILS_PATH = "/entrez/eutils/"
SCRIPT_WORDS = ("truncate", "malformed", "error200")
ENDPOINTS = ("esearch", "efetch", "esummary", "einfo")


@dataclass(frozen=True)
class _Fault:
    kind: str  # status, ratelimit, error200, truncate, malformed
    status: int = 200


class _Handler(BaseHTTPRequestHandler):
    server: SandboxServer
    protocol_version = "HTTP/1.1"
    server_version = "evidencebot-sandbox"
    timeout = 30  # drop idle keep-alive connections

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._dispatch()

    def do_POST(self) -> None:  # noqa: N802
        self._dispatch()

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        log.info("%s %s %s", self.command, urlsplit(self.path).path, code)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """http.server's own messages (bad request lines) quote the URL: drop its query."""
        log.info("%s", redact(re.sub(r"\?[^\s'\"]*", "?…", format % args)))

    def _read_params(self) -> tuple[Params, bool, bool]:
        """Parameters from the URL and a form-encoded body; whether api_key was in each."""
        query = parse_qs(urlsplit(self.path).query, keep_blank_values=True)
        body: dict[str, list[str]] = {}
        length = int(self.headers.get("Content-Length") or 0)
        if self.command == "POST" and length:
            raw = self.rfile.read(length).decode("utf-8", "replace")
            if "json" in (self.headers.get("Content-Type") or ""):
                payload = json.loads(raw or "{}")
                if not isinstance(payload, dict):
                    raise ValueError("a JSON body must be an object")
                body = {k: [str(v)] for k, v in payload.items()}
            else:
                body = parse_qs(raw, keep_blank_values=True)
        merged = {**query}
        for key, values in body.items():
            merged.setdefault(key, []).extend(values)
        in_url = any(k.lower() == "api_key" for k in query)
        in_body = any(k.lower() == "api_key" for k in body)
        return Params(merged), in_url, in_body

    def _dispatch(self) -> None:
        path = urlsplit(self.path).path
        try:
            params, key_in_url, key_in_body = self._read_params()
        except (ValueError, UnicodeDecodeError):
            self._send(json_reply({"error": "unreadable request body"}, 400))
            return
        if path.startswith("/sandbox/"):
            self._send(self.server.admin(self, path, params))
            return
        name = path[len(EUTILS_PATH) :].removesuffix(".fcgi") if path.startswith(
            EUTILS_PATH) else ""  # fmt: skip
        if name not in ENDPOINTS:
            self._send(Reply(404, b"Not Found\n", "text/plain; charset=UTF-8"))
            return
        server = self.server
        client = params.get("api_key") or self.client_address[0]
        fault, limit = server.before_request(
            name, self.command, bool(params.get("api_key")), client, key_in_url, key_in_body
        )
        config = server.config
        if config.delay:
            time.sleep(config.delay)
        rate_headers = (("X-RateLimit-Limit", str(int(limit))),) if limit else ()
        json_mode = params.get("retmode").lower() == "json"
        if fault is not None and fault.kind == "ratelimit":
            reply = json_reply({"error": "API rate limit exceeded", "count": str(int(limit) + 1)}, 429)
            reply = dataclasses.replace(reply, headers=(("Retry-After", "1"), *rate_headers))
        elif fault is not None and fault.kind == "status":
            if fault.status == 429:
                reply = json_reply({"error": "API rate limit exceeded", "count": "4"}, 429)
                reply = dataclasses.replace(reply, headers=(("Retry-After", "1"),))
            else:
                phrase = self.responses.get(fault.status, ("Error",))[0]
                reply = Reply(fault.status, f"<html><head><title>{fault.status} {phrase}"
                              f"</title></head><body><h1>{phrase}</h1></body></html>\n".encode(),
                              "text/html; charset=UTF-8")  # fmt: skip
        elif fault is not None and fault.kind == "error200":
            reply = error_body(name, "API rate limit exceeded", json_mode)
        else:
            reply = getattr(server.eutils, name)(params)
            reply = dataclasses.replace(reply, headers=reply.headers + rate_headers)
        kind = fault.kind if fault is not None else ""
        # counted before the reply goes out: a client that reads /sandbox/stats right after its
        # response must find it counted (counting after the write raced with that read)
        server.count_status(reply.status)
        self._send(reply, truncate=kind == "truncate", malformed=kind == "malformed")

    def _send(self, reply: Reply, truncate: bool = False, malformed: bool = False) -> None:
        body = reply.body
        if malformed:
            body = body[: max(1, len(body) * 2 // 3)] + b"\n<sandbox-malformed <</\n"
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(body)))
        for header, value in reply.headers:
            self.send_header(header, value)
        if truncate:
            self.send_header("Connection", "close")
        self.end_headers()
        if truncate:
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)


def _is_loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return host == "localhost"
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        try:
            return ipaddress.ip_address(socket.gethostbyname(host)).is_loopback
        except OSError:
            return False


class SandboxServer(ThreadingHTTPServer):
    """The sandbox over HTTP. Use `start()` to serve from a background thread (tests) or
    `serve_forever()` (CLI); `shutdown()` stops and closes it either way."""

    daemon_threads = True
    block_on_close = False

    def __init__(
        self,
        corpus: Corpus,
        host: str = "127.0.0.1",
        port: int = 0,
        config: SandboxConfig | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        try:
            super().__init__((host, port), _Handler)
        except OSError as exc:
            raise SandboxError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
        self.corpus = corpus
        self._config = config or SandboxConfig()
        self._clock = clock
        self._lock = threading.Lock()
        self._rng = random.Random(self._config.seed)
        self._script: deque[int | str] = deque()
        self._windows: dict[str, deque[float]] = {}
        self._stats: Counter[str] = Counter()
        self._thread: threading.Thread | None = None
        self._serving = threading.Event()
        self.eutils = EUtilities(corpus, lambda: self._config)

    # -- addresses and lifecycle

    @property
    def host(self) -> str:
        return str(self.server_address[0])

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    @property
    def url(self) -> str:
        """The E-utilities base URL, e.g. http://127.0.0.1:PORT/entrez/eutils/."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}{EUTILS_PATH}"

    def serve_forever(self, poll_interval: float = 0.5) -> None:
        self._serving.set()
        super().serve_forever(poll_interval)

    def start(self) -> SandboxServer:
        """Serve from a daemon thread; returns self (`with make_server(...).start() as s:`)."""
        self._thread = threading.Thread(target=self.serve_forever, args=(0.05,),
                                        name="sandbox", daemon=True)  # fmt: skip
        self._thread.start()
        self._serving.wait()
        return self

    def shutdown(self) -> None:
        if self._serving.is_set():
            super().shutdown()
            self._serving.clear()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self.server_close()

    def __enter__(self) -> SandboxServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.shutdown()

    # -- runtime settings

    @property
    def config(self) -> SandboxConfig:
        return self._config

    @property
    def today(self) -> str:
        return format_date(self.eutils.today())

    def set_today(self, value: str | date | None) -> str:
        """Move the sandbox's clock (records entered after it are invisible); None: real date."""
        if isinstance(value, date):
            value = value.strftime("%Y/%m/%d")
        self.set_faults(today=value)
        return self.today

    def set_faults(self, **changes: Any) -> SandboxConfig:
        """Change SandboxConfig fields at runtime; a new seed restarts the random sequence."""
        unknown = set(changes) - {f.name for f in dataclasses.fields(SandboxConfig)}
        if unknown:
            raise SandboxError(f"unknown sandbox setting(s): {', '.join(sorted(unknown))}")
        with self._lock:
            self._config = dataclasses.replace(self._config, **changes)
            if "seed" in changes:
                self._rng = random.Random(self._config.seed)
            return self._config

    def script_faults(self, faults: Iterable[int | str]) -> None:
        """The next requests answer, in order: a status (200 = normal, 429, 5xx), or
        "truncate", "malformed", "error200". Scripted requests skip the rate limit and the
        random faults."""
        items: list[int | str] = []
        for item in faults:
            text = str(item).strip().lower()
            if text in SCRIPT_WORDS:
                items.append(text)
            elif text.isdigit() and (int(text) == 200 or int(text) in FAIL_STATUSES):
                items.append(int(text))
            else:
                raise SandboxError(f"cannot script fault {item!r}: use 200, "
                                   f"{', '.join(map(str, FAIL_STATUSES))} or "
                                   f"{', '.join(SCRIPT_WORDS)}")  # fmt: skip
        with self._lock:
            self._script.extend(items)

    def stats(self) -> dict[str, Any]:
        """Request counts: total, per endpoint, per method and status, faults injected,
        records served and where api_key travelled."""
        with self._lock:
            counts = dict(self._stats)

        def group(prefix: str) -> dict[str, int]:
            return {k.split(":", 1)[1]: v for k, v in sorted(counts.items())
                    if k.startswith(prefix)}  # fmt: skip

        return {
            "total": counts.get("total", 0),
            "endpoints": {name: counts.get(f"endpoint:{name}", 0) for name in ENDPOINTS},
            "methods": group("method:"),
            "statuses": group("status:"),
            "faults": group("fault:"),
            "api_key": {"in_url": counts.get("api_key:url", 0),
                        "in_body": counts.get("api_key:body", 0)},  # fmt: skip
            "records_served": self.eutils.records_served,
            "pending_script": len(self._script),
            "today": self.today,
        }

    def reset_stats(self) -> None:
        with self._lock:
            self._stats.clear()
            self.eutils.records_served = 0

    # -- per request

    def before_request(
        self, endpoint: str, method: str, has_key: bool, client: str,
        key_in_url: bool, key_in_body: bool,
    ) -> tuple[_Fault | None, float]:  # fmt: skip
        """Count the request and decide its fault (None: answer normally); also returns the
        rate limit that applies to it (0 = none)."""
        with self._lock:
            config = self._config
            limit = config.rate_limit_with_key if has_key else config.rate_limit
            self._stats.update(["total", f"endpoint:{endpoint}", f"method:{method}"])
            if key_in_url:
                self._stats["api_key:url"] += 1
            if key_in_body:
                self._stats["api_key:body"] += 1
            fault = self._choose_fault(config, limit, client)
            if fault is not None:
                self._stats[f"fault:{fault.kind}"] += 1
            return fault, limit

    def _choose_fault(self, config: SandboxConfig, limit: float, client: str) -> _Fault | None:
        if self._script:
            item = self._script.popleft()
            if item == 200:
                return None
            return _Fault(item) if isinstance(item, str) else _Fault("status", item)
        if limit:
            now = self._clock()
            window = self._windows.setdefault(client, deque())
            while window and window[0] <= now - 1.0:
                window.popleft()
            if len(window) >= limit:
                return _Fault("ratelimit", 429)
            window.append(now)
        draws = [self._rng.random() for _ in range(4)]  # always four: a stable sequence
        if draws[0] < config.fail_rate:
            return _Fault("status", config.fail_status)
        if draws[1] < config.error200_rate:
            return _Fault("error200")
        if draws[2] < config.truncate_rate:
            return _Fault("truncate")
        if draws[3] < config.malformed_rate:
            return _Fault("malformed")
        return None

    def count_status(self, status: int) -> None:
        with self._lock:
            self._stats[f"status:{status}"] += 1

    def admin(self, handler: _Handler, path: str, params: Params) -> Reply:
        """/sandbox/stats, /sandbox/today, /sandbox/faults, /sandbox/reset-stats: loopback
        only, and never from a cross-site browser request."""
        if not _is_loopback(handler.client_address[0]):
            return json_reply({"error": "admin endpoints answer loopback clients only"}, 403)
        site = handler.headers.get("Sec-Fetch-Site")
        if site not in (None, "same-origin", "none"):
            return json_reply({"error": "cross-site request refused"}, 403)
        post = handler.command == "POST"
        try:
            if path == "/sandbox/stats":
                return json_reply(self.stats())
            if path == "/sandbox/reset-stats" and post:
                self.reset_stats()
                return json_reply({"ok": True})
            if path == "/sandbox/today":
                if post:
                    self.set_today(params.get("today") or None)
                return json_reply({"today": self.today})
            if path == "/sandbox/faults":
                if post:
                    self._apply_fault_params(params)
                return json_reply({**self._config.faults(), "pending_script": len(self._script)})
        except (SandboxError, ValueError) as exc:
            return json_reply({"error": str(exc)}, 400)
        return json_reply({"error": f"no admin endpoint {handler.command} {path}"}, 404)

    def _apply_fault_params(self, params: Params) -> None:
        types = {f.name: f.type for f in dataclasses.fields(SandboxConfig)}
        changes: dict[str, Any] = {}
        for name in SandboxConfig().faults():
            text = params.get(name)
            if not text:
                continue
            kind = types[name]
            try:
                changes[name] = int(text) if kind in ("int", "int | None") else float(text)
            except ValueError:
                raise SandboxError(f"{name} must be a number, got {text!r}") from None
        if changes:
            self.set_faults(**changes)
        if params.get("script"):
            self.script_faults(params.get("script").split(","))


def make_server(
    corpus_paths: Iterable[str | Path] | Corpus,
    host: str = "127.0.0.1",
    port: int = 0,
    config: SandboxConfig | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> SandboxServer:
    """A sandbox bound to host:port (0: any free port) over the corpus files, not yet
    serving: call `.start()` for a background thread or `.serve_forever()`."""
    config = config or SandboxConfig()
    if not config.allow_remote and not _is_loopback(host):
        raise SandboxError(
            f"refusing to listen on non-loopback host {host!r}: use 127.0.0.1, "
            "or allow_remote (--allow-remote) if you mean it"
        )
    corpus = corpus_paths if isinstance(corpus_paths, Corpus) else Corpus.load(corpus_paths)
    return SandboxServer(corpus, host, port, config, clock)
