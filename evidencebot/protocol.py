"""The review protocol: what to search, how to screen, what to pool.

Loaded once from `evidencebot.toml` into frozen dataclasses and passed down explicitly;
nothing here is module-level mutable state.
"""

from __future__ import annotations

import hashlib
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from evidencebot.errors import ProtocolError

DEFAULT_PROTOCOL_PATH = Path("evidencebot.toml")
NCBI_EUTILS_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"


@dataclass(frozen=True)
class SearchSettings:
    query: str
    email: str
    tool: str = "evidencebot"
    batch_size: int = 500
    start_date: str = "2000/01/01"
    overlap_days: int = 7
    max_attempts: int = 6
    max_ids: int = 9999


@dataclass(frozen=True)
class ScreenSettings:
    target_recall: float = 0.98
    max_review_fraction: float = 0.25
    model: str = "models/screen"


@dataclass(frozen=True)
class ExtractSettings:
    rules: str = "evidencebot.survival_rules.v1"


@dataclass(frozen=True)
class PoolSettings:
    method: str = "REML"
    ci_method: str = "knha"
    fallback_method: str = "DL"
    median_scale: str = "log"
    proportion_transform: str = "logit"
    median_without_ci: str = "exclude"
    endpoints: tuple[str, ...] = ("PFS", "OS", "ORR", "grade3plus_neutropenia")


@dataclass(frozen=True)
class DigestSettings:
    hr_threshold: float = 1.0
    median_threshold_months: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Protocol:
    title: str
    version: str
    search: SearchSettings
    screen: ScreenSettings
    extract: ExtractSettings
    pool: PoolSettings
    digest: DigestSettings
    regimens: dict[str, tuple[str, ...]]
    path: Path | None = None
    sha256: str = ""

    def normalise_regimen(self, text: str) -> str | None:
        """The regimen family whose longest synonym matches `text` exactly (case-insensitive)."""
        key = _squash(text)
        for family, synonym in self.regimen_synonyms():
            if _squash(synonym) == key:
                return family
        return None

    def regimen_synonyms(self) -> list[tuple[str, str]]:
        """(family, synonym) pairs, longest synonym first, so longer spellings win."""
        pairs = [(fam, syn) for fam, syns in self.regimens.items() for syn in (fam, *syns)]
        return sorted(set(pairs), key=lambda p: (-len(p[1]), p[1], p[0]))


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().lower())


_POOL_METHODS = {"DL", "REML", "PM", "SJ", "HE", "FE"}


def load_protocol(path: str | os.PathLike[str] | None = None) -> Protocol:
    """Read and validate the protocol file (default: `evidencebot.toml`, or $EVIDENCEBOT_PROTOCOL)."""
    path = Path(path or os.environ.get("EVIDENCEBOT_PROTOCOL") or DEFAULT_PROTOCOL_PATH)
    try:
        raw_bytes = path.read_bytes()
    except FileNotFoundError:
        raise ProtocolError(
            f"protocol file {str(path)!r} not found; pass --protocol PATH or run from the repository root"
        ) from None
    try:
        data = tomllib.loads(raw_bytes.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ProtocolError(f"protocol file {str(path)!r} is not valid TOML: {exc}") from None
    protocol = protocol_from_dict(data)
    return _with_source(protocol, path, hashlib.sha256(raw_bytes).hexdigest())


def _with_source(protocol: Protocol, path: Path, sha: str) -> Protocol:
    from dataclasses import replace

    return replace(protocol, path=path, sha256=sha)


def protocol_from_dict(data: dict) -> Protocol:
    """Build a Protocol from parsed TOML, naming the offending key on error."""
    try:
        review = data.get("review", {})
        search = data["search"]
        query = " ".join(str(search["query"]).split())
        if not query:
            raise ProtocolError("[search] query is empty")
        search_settings = SearchSettings(
            query=query,
            email=os.environ.get("NCBI_EMAIL") or str(search.get("email", "")),
            tool=str(search.get("tool", "evidencebot")),
            batch_size=int(search.get("batch_size", 500)),
            start_date=str(search.get("start_date", "2000/01/01")),
            overlap_days=int(search.get("overlap_days", 7)),
            max_attempts=int(search.get("max_attempts", 6)),
            max_ids=int(search.get("max_ids", 9999)),
        )
        if not 1 <= search_settings.batch_size <= 10000:
            raise ProtocolError(
                f"[search] batch_size = {search_settings.batch_size}: must be between 1 and 10000"
            )
        if search_settings.max_attempts < 1:
            raise ProtocolError(f"[search] max_attempts = {search_settings.max_attempts}: must be at least 1")
        if not re.fullmatch(r"\d{4}/\d{2}/\d{2}", search_settings.start_date):
            raise ProtocolError(
                f"[search] start_date = {search_settings.start_date!r}: use YYYY/MM/DD"
            )
        pool = data.get("pool", {})
        pool_settings = PoolSettings(
            method=str(pool.get("method", "REML")).upper(),
            ci_method=str(pool.get("ci_method", "knha")).lower(),
            fallback_method=str(pool.get("fallback_method", "DL")).upper(),
            median_scale=str(pool.get("median_scale", "log")).lower(),
            proportion_transform=_proportion_transform(pool.get("proportion_transform", "logit")),
            median_without_ci=str(pool.get("median_without_ci", "exclude")).lower(),
            endpoints=tuple(pool.get("endpoints", PoolSettings.endpoints)),
        )
        if pool_settings.method not in _POOL_METHODS:
            raise ProtocolError(
                f"[pool] method = {pool_settings.method!r}: choose one of {sorted(_POOL_METHODS)}"
            )
        if pool_settings.ci_method not in {"z", "knha"}:
            raise ProtocolError(f"[pool] ci_method = {pool_settings.ci_method!r}: use 'z' or 'knha'")
        if pool_settings.median_scale not in {"log", "raw"}:
            raise ProtocolError(
                f"[pool] median_scale = {pool_settings.median_scale!r}: use 'log' or 'raw'"
            )
        if pool_settings.median_without_ci not in {"exclude", "approximate"}:
            raise ProtocolError(
                f"[pool] median_without_ci = {pool_settings.median_without_ci!r}: "
                "use 'exclude' or 'approximate'"
            )
        screen = data.get("screen", {})
        digest = data.get("digest", {})
        regimens = {
            str(family): tuple(str(s) for s in synonyms)
            for family, synonyms in data.get("regimens", {}).items()
        }
        return Protocol(
            title=str(review.get("title", "")),
            version=str(review.get("version", "")),
            search=search_settings,
            screen=ScreenSettings(
                target_recall=float(screen.get("target_recall", 0.98)),
                max_review_fraction=float(screen.get("max_review_fraction", 0.25)),
                model=str(screen.get("model", "models/screen")),
            ),
            extract=ExtractSettings(rules=str(data.get("extract", {}).get("rules", ExtractSettings.rules))),
            pool=pool_settings,
            digest=DigestSettings(
                hr_threshold=float(digest.get("hr_threshold", 1.0)),
                median_threshold_months={
                    str(k): float(v) for k, v in digest.get("median_threshold_months", {}).items()
                },
            ),
            regimens=regimens,
        )
    except KeyError as exc:
        raise ProtocolError(f"protocol is missing the required key {exc.args[0]!r}") from None
    except (TypeError, ValueError) as exc:
        raise ProtocolError(f"protocol has a value of the wrong type: {exc}") from None


def _proportion_transform(value: object) -> str:
    """'logit' or 'PFT' (Freeman-Tukey double arcsine), whatever the case it was written in."""
    text = str(value)
    if text.lower() == "logit":
        return "logit"
    if text.upper() == "PFT":
        return "PFT"
    raise ProtocolError(f"[pool] proportion_transform = {text!r}: use 'logit' or 'PFT'")


def eutils_url(override: str | None = None) -> str:
    """The E-utilities base URL: --eutils-url, then $EVIDENCEBOT_EUTILS_URL, then NCBI."""
    url = override or os.environ.get("EVIDENCEBOT_EUTILS_URL") or NCBI_EUTILS_URL
    return url if url.endswith("/") else url + "/"


def api_key() -> str | None:
    """The NCBI API key, from the environment only (never from a file in the repository)."""
    return os.environ.get("NCBI_API_KEY") or None
