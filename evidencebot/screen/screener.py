"""The shipped screener: saving and loading with skops, and the `Screener` other stages call.

The model file is a skops archive loaded with an explicit list of trusted types (never pickle).
Beside it, `screener.json` records the archive's SHA-256, the feature version it was trained
for, the training-data hash, library versions, thresholds and metrics. `load_screener` refuses
a file whose hash, feature version or types do not match, with a `ModelError` saying why.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evidencebot.errors import ModelError
from evidencebot.screen.features import FEATURE_VERSION, as_input, make_input
from evidencebot.screen.model import ThreeWayScreener

MODEL_FILE = "screener.skops"
META_FILE = "screener.json"
CARD_FILE = "MODEL_CARD.md"
REPO_ROOT = Path(__file__).resolve().parents[2]
BATCH = 1000

# Every type a screener archive may contain. Anything else in a file means it was not written
# by `evidencebot train` for this code, and it is not loaded.
TRUSTED_TYPES: tuple[str, ...] = (
    "builtins.slice",
    "evidencebot.screen.features.ScreenFeaturizer",
    "evidencebot.screen.model.ThreeWayScreener",
    "numpy.dtype",
    "numpy.float64",
    "numpy.int64",
    "numpy.ndarray",
    "sklearn.linear_model._logistic.LogisticRegression",
)


@dataclass(frozen=True)
class ScreenDecision:
    """One screening decision.

    decision: 'include' | 'exclude' | 'review'; probability: calibrated P(relevant);
    reason: the exclusion reason when excluded, else None; cues: (feature, contribution to the
    log-odds) for the features that drove it; has_metadata: publication types or MeSH present;
    model_version: the model that decided.
    """

    decision: str
    probability: float
    reason: str | None
    cues: list[tuple[str, float]]
    has_metadata: bool
    model_version: str


def model_version(metadata: dict[str, Any]) -> str:
    """A version that names what the model was built from (not when)."""
    basis = json.dumps(
        [
            metadata.get("feature_version"),
            metadata.get("cue_rules"),
            metadata.get("training_data_sha256"),
            metadata.get("params"),
            metadata.get("thresholds"),
        ],
        sort_keys=True,
    )
    return f"screen.v1-{hashlib.sha256(basis.encode()).hexdigest()[:10]}"


def save_model(model: ThreeWayScreener, metadata: dict[str, Any], out_dir: str | Path) -> list[Path]:
    """Write the skops archive (byte-reproducible) and its metadata; returns the paths."""
    import skops.io as sio

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    archive = _reproducible_zip(sio.dumps(model))
    model_path = out / MODEL_FILE
    model_path.write_bytes(archive)
    meta = dict(metadata)
    meta["model_file"] = MODEL_FILE
    meta["model_sha256"] = hashlib.sha256(archive).hexdigest()
    meta["model_version"] = model_version(meta)
    meta["trusted_types"] = sorted(set(sio.get_untrusted_types(data=archive)))
    meta_path = out / META_FILE
    meta_path.write_text(json.dumps(meta, indent=2, sort_keys=True, default=_json_default) + "\n")
    metadata.update(meta)
    return [model_path, meta_path]


def _json_default(obj: Any) -> Any:
    if hasattr(obj, "item"):
        return obj.item()
    raise TypeError(f"cannot store {type(obj).__name__} in the model metadata")


def _reproducible_zip(data: bytes) -> bytes:
    """The same archive with fixed timestamps and order, and skops' memory-address object ids
    (`__id__`, `<id>.npy`) renumbered in order of appearance, so equal models give equal bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    schema = json.loads(src.read("schema.json"))
    ids: dict[int, int] = {}

    def new_id(old: int) -> int:
        return ids.setdefault(int(old), len(ids) + 1)

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            out = {}
            for key, value in node.items():
                if key == "__id__" and isinstance(value, int):
                    out[key] = new_id(value)
                elif key == "file" and isinstance(value, str) and value.endswith(".npy"):
                    out[key] = f"{new_id(int(value[:-4]))}.npy"
                else:
                    out[key] = walk(value)
            return out
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    renamed = walk(schema)
    files = {"schema.json": json.dumps(renamed).encode()}
    for name in src.namelist():
        if name.endswith(".npy"):
            files[f"{new_id(int(name[:-4]))}.npy"] = src.read(name)
        elif name != "schema.json":
            files[name] = src.read(name)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, files[name])
    return buffer.getvalue()


def resolve_model_dir(path: str | Path) -> Path:
    """A model directory (or its .skops file); relative paths also tried from the repository."""
    p = Path(path)
    if p.suffix == ".skops":
        p = p.parent
    if not p.exists() and not p.is_absolute() and (REPO_ROOT / p).exists():
        p = REPO_ROOT / p
    return p


def load_screener(path: str | Path = "models/screen") -> Screener:
    """Load and verify the shipped screener; ModelError when missing, altered or mismatched."""
    directory = resolve_model_dir(path)
    model_path, meta_path = directory / MODEL_FILE, directory / META_FILE
    if not model_path.is_file():
        raise ModelError(
            f"no screening model at {str(model_path)!r}; run `evidencebot train` "
            "or set [screen] model in the protocol"
        )
    try:
        metadata = json.loads(meta_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(
            f"model metadata {str(meta_path)!r} is missing; the model cannot be verified. "
            "Run `evidencebot train` to rebuild both"
        ) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise ModelError(f"model metadata {str(meta_path)!r} is not valid JSON: {exc}") from None
    if not isinstance(metadata, dict):
        raise ModelError(f"model metadata {str(meta_path)!r} is not a JSON object")
    archive = model_path.read_bytes()
    digest = hashlib.sha256(archive).hexdigest()
    if digest != metadata.get("model_sha256"):
        raise ModelError(
            f"model file {str(model_path)!r} has SHA-256 {digest[:12]}…, but {META_FILE} expects "
            f"{str(metadata.get('model_sha256'))[:12]}…; the file was altered or mixed with another "
            "model's metadata. Restore it or run `evidencebot train`"
        )
    if metadata.get("feature_version") != FEATURE_VERSION:
        raise ModelError(
            f"model {str(model_path)!r} was trained for features {metadata.get('feature_version')!r}, "
            f"but this evidencebot computes {FEATURE_VERSION!r}; run `evidencebot train`"
        )
    import skops.io as sio

    try:
        found = set(sio.get_untrusted_types(data=archive))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ModelError(f"model file {str(model_path)!r} is not a readable skops archive: {exc}") from None
    untrusted = sorted(found - set(TRUSTED_TYPES))
    if untrusted:
        raise ModelError(
            f"model file {str(model_path)!r} contains types that are not trusted: {untrusted}; "
            "it was not written by `evidencebot train` for this version"
        )
    try:
        model = sio.loads(archive, trusted=list(TRUSTED_TYPES))
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, AttributeError) as exc:
        raise ModelError(f"model file {str(model_path)!r} cannot be loaded: {exc}") from None
    if not isinstance(model, ThreeWayScreener):
        raise ModelError(f"model file {str(model_path)!r} holds a {type(model).__name__}, not a screener")
    return Screener(model, metadata, directory)


class Screener:
    """Decides include / exclude / review for records, with the probability, reason and cues."""

    def __init__(self, model: ThreeWayScreener, metadata: dict[str, Any], path: Path | None = None) -> None:
        self.model = model
        self.metadata = metadata
        self.path = path

    @property
    def model_version(self) -> str:
        return str(self.metadata.get("model_version") or model_version(self.metadata))

    @property
    def thresholds(self) -> dict[str, list[float]]:
        return dict(self.model.thresholds or {})

    def decide(
        self,
        title: str | None,
        abstract: str | None,
        publication_types: Sequence[str] | str | None = (),
        mesh_terms: Sequence[str] | str | None = (),
    ) -> ScreenDecision:
        return self.decide_many([make_input(title, abstract, publication_types, mesh_terms)])[0]

    def decide_many(self, records: Iterable[Any]) -> list[ScreenDecision]:
        """Records as ScreenInput, mappings, objects with title/abstract/publication_types/
        mesh_terms attributes (e.g. PubmedRecord, CorpusEntry) or (title, abstract, pts, mesh)."""
        items = [as_input(r) for r in records]
        version = self.model_version
        out: list[ScreenDecision] = []
        for start in range(0, len(items), BATCH):
            for s in self.model.score(items[start : start + BATCH]):
                out.append(
                    ScreenDecision(s.decision, s.probability, s.reason, s.cues, s.has_metadata, version)
                )
        return out
