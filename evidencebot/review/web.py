"""The review web page: a small Flask app, server-rendered, no front-end build.

Safety by construction:
* Jinja autoescape on every template, no `|safe`; abstracts and reviewer text are text;
* a Content-Security-Policy allowing only this server's own script and style (no inline);
* writes are POST only and must pass `check_csrf`: Sec-Fetch-Site, when sent, must be
  'same-origin' or 'none'; Origin, when sent, must be this server's origin; and the form's
  csrf_token must equal the server's per-process token. Any malformed header is a 403,
  never a 500;
* the Host header must name a loopback address unless the server was started with
  --allow-remote (a DNS-rebinding page cannot reach the server under another name);
* every save is one transaction through evidencebot.review.decisions.apply, run under the
  database's run lock, followed by a re-pool.
"""

from __future__ import annotations

import hmac
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, abort, g, redirect, render_template, request, url_for

from evidencebot.errors import DatabaseLocked, ReviewError
from evidencebot.review import decisions as d
from evidencebot.review.queue import KINDS, TIER_LABELS, build_queue
from evidencebot.review.view import estimate, fmt, record_page
from evidencebot.store import open_db, run_lock

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
ALLOWED_FETCH_SITES = {"same-origin", "none"}
EVIDENCE_FORM_FIELDS = d.EDITABLE


def is_loopback(host: str) -> bool:
    host = host.strip().lower()
    return host in LOOPBACK_HOSTS or host.startswith("127.")


def _host_name(host_header: str) -> tuple[str | None, int | None] | None:
    """'127.0.0.1:8000' -> '127.0.0.1'; '[::1]:80' -> '::1'; None when malformed."""
    try:
        parts = urlsplit(f"//{host_header}")
        return parts.hostname, parts.port
    except ValueError:
        return None


def check_csrf(headers: Any, form: Any, token: str, host: str, scheme: str = "http") -> str | None:
    """None when a write request may proceed, else why not (pure; see module docstring)."""
    site = headers.get("Sec-Fetch-Site")
    if site is not None and site.strip().lower() not in ALLOWED_FETCH_SITES:
        return "cross-site request refused (Sec-Fetch-Site)"
    origin = headers.get("Origin")
    if origin is not None:
        try:
            parts = urlsplit(origin.strip())
            port = parts.port
        except ValueError:
            return "malformed Origin header"
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return "request from an unknown origin refused (Origin)"
        expected = _host_name(host)
        if expected is None or expected[0] is None:
            return "malformed Host header"
        def default(s: str) -> int:
            return 443 if s == "https" else 80

        if (parts.scheme, parts.hostname, port or default(parts.scheme)) != (
                scheme, expected[0], expected[1] or default(scheme)):
            return "request from another origin refused (Origin)"
    sent = form.get("csrf_token", "")
    if not isinstance(sent, str) or not sent or not hmac.compare_digest(
            sent.encode("utf-8", "surrogateescape"), token.encode()):
        return "missing or stale form token: reload the page and try again"
    return None


def create_app(db_path: str | Path, protocol: Any = None, reviewer: str = "reviewer",
               allow_remote: bool = False, pool: bool = True) -> Flask:
    """The review app for one database. `protocol` is needed to re-pool after a save."""
    db_path = Path(db_path)
    open_db(db_path).conn.close()  # migrate once, up front
    who = d.validate_reviewer(reviewer)
    app = Flask(__name__, static_folder="static", template_folder="templates")
    app.config.update(EVIDENCEBOT_DB=str(db_path), CSRF_TOKEN=secrets.token_urlsafe(32),
                      REVIEWER=who, ALLOW_REMOTE=allow_remote, MAX_CONTENT_LENGTH=256 * 1024)
    app.jinja_env.autoescape = True
    app.jinja_env.filters["num"] = fmt
    app.jinja_env.filters["estimate"] = estimate

    def db():
        if "db" not in g:
            g.db = open_db(db_path, migrate=False)
        return g.db

    @app.teardown_appcontext
    def close_db(_exc: BaseException | None) -> None:
        conn = g.pop("db", None)
        if conn is not None:
            conn.conn.close()

    @app.before_request
    def guard() -> Any:
        if not allow_remote:
            parsed = _host_name(request.headers.get("Host", ""))
            if parsed is None or parsed[0] is None or not is_loopback(parsed[0]):
                return _error("Host not allowed: this review server answers only on a loopback "
                              "address (start it with --allow-remote to change that)", 403)
        if request.method == "POST":
            why = check_csrf(request.headers, request.form, app.config["CSRF_TOKEN"],
                             request.headers.get("Host", ""), request.scheme)
            if why:
                return _error(why, 403)
        return None

    @app.after_request
    def headers(response):
        response.headers["Content-Security-Policy"] = (
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
            "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        return response

    def _error(message: str, status: int):
        return render_template("error.html", message=message, status=status), status

    def common() -> dict:
        return {"csrf_token": app.config["CSRF_TOKEN"], "reviewer": who[len("review:"):],
                "reasons": sorted(d.REASONS), "tier_labels": TIER_LABELS}

    @app.get("/")
    def queue_page():
        kind = request.args.get("kind")
        if kind not in KINDS:
            kind = None
        queue = build_queue(db(), kind)
        return render_template("queue.html", queue=queue, kind=kind, kinds=KINDS, **common())

    def show(pmid: str, error: str | None = None, status: int = 200, save_id: int | None = None):
        try:
            page = record_page(db(), pmid, save_id)
        except ReviewError:
            abort(404)
        return render_template("record.html", error=error, measures=d.MEASURES, **page, **common()), status

    @app.get("/record/<pmid>")
    def record_view(pmid: str):
        save = request.args.get("save", "")
        return show(pmid, save_id=int(save) if save.isdigit() else None)

    def save(pmid: str, ops: list[d.Operation]):
        try:
            with run_lock(db_path):
                result = d.apply(db(), ops, who, "web", protocol, pmid=pmid, pool=pool)
        except (ReviewError, DatabaseLocked) as exc:
            return show(pmid, error=str(exc), status=400 if isinstance(exc, ReviewError) else 409)
        if result.save_id is None:
            return redirect(url_for("record_view", pmid=pmid), code=303)
        return redirect(url_for("record_view", pmid=pmid, save=result.save_id), code=303)

    def form_text(name: str) -> str | None:
        value = request.form.get(name)
        return value if value is None else str(value)

    @app.post("/record/<pmid>/decide")
    def decide(pmid: str):
        decision = (form_text("decision") or "").strip().lower()
        # One form carries the reason select for every button: only an exclusion uses it.
        reason = form_text("reason") if decision == "exclude" else None
        ops: list[d.Operation] = [d.Decide(pmid, decision, reason)]
        if (form_text("note") or "").strip():
            ops.append(d.Note(pmid, form_text("note") or ""))
        return save(pmid, ops)

    def evidence_of(pmid: str, evidence_id: int) -> None:
        row = db().execute("SELECT pmid FROM evidence WHERE id = ?", [evidence_id]).fetchone()
        if row is None or str(row[0]) != pmid:
            abort(404)

    @app.post("/record/<pmid>/evidence/<int:evidence_id>")
    def correct(pmid: str, evidence_id: int):
        evidence_of(pmid, evidence_id)
        fields = {k: request.form[k] for k in EVIDENCE_FORM_FIELDS if k in request.form}
        return save(pmid, [d.Correct(evidence_id, fields, form_text("why"))])

    @app.post("/record/<pmid>/evidence/<int:evidence_id>/delete")
    def delete(pmid: str, evidence_id: int):
        evidence_of(pmid, evidence_id)
        return save(pmid, [d.Delete(evidence_id, form_text("why"))])

    @app.post("/record/<pmid>/evidence")
    def add(pmid: str):
        fields = {k: request.form[k] for k in EVIDENCE_FORM_FIELDS if k in request.form}
        return save(pmid, [d.Add(pmid, fields, form_text("why"))])

    @app.post("/record/<pmid>/link")
    def link(pmid: str):
        return save(pmid, [d.Link(pmid, form_text("same_as") or "", form_text("why"))])

    @app.post("/record/<pmid>/dismiss")
    def dismiss(pmid: str):
        return save(pmid, [d.Dismiss(form_text("kind") or "", form_text("item_key") or "", pmid,
                                     form_text("why"))])

    @app.post("/record/<pmid>/note")
    def note(pmid: str):
        return save(pmid, [d.Note(pmid, form_text("note") or "")])

    @app.errorhandler(404)
    def not_found(_e):
        return _error("Not found.", 404)

    @app.errorhandler(405)
    def not_allowed(_e):
        return _error("Method not allowed.", 405)

    @app.errorhandler(413)
    def too_large(_e):
        return _error("Request too large.", 413)

    return app


def make_server(app: Flask, host: str, port: int) -> Any:
    """A threaded Werkzeug server for the app (port 0: any free port; see `.port`)."""
    from werkzeug.serving import make_server as werkzeug_server

    return werkzeug_server(host, port, app, threaded=True)


def serve_forever(server: Any) -> None:
    """Serve until Ctrl-C, then close the socket."""
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
