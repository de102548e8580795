"""Save and load fitted forecasters with their provenance and a checksum.

File layout (``.ccm``)::

    CROWDCAST-MODEL 1\\n
    <one line of JSON: format version, crowdcast version, model class,
     payload size and SHA-256, provenance>\\n
    <payload: the fitted forecaster, serialised with joblib>

The header is readable without unpickling anything (``read_model_header``),
so a batch job or a reviewer can see what a model is before loading it. On
load, the payload's size and SHA-256 must match the header, otherwise the
file was truncated or changed and loading stops with an error.

The checksum guards integrity, not authenticity: like every pickle-based
format, only load models you (or your own pipeline) saved.
"""

from __future__ import annotations

import hashlib
import io
import json
import warnings
from pathlib import Path
from typing import Any

import joblib

from crowdcast._validation import atomic_write, check_is_fitted
from crowdcast._version import __version__
from crowdcast.exceptions import (
    CrowdcastWarning,
    ParseError,
    Problem,
)
from crowdcast.profiles import SiteProfile

__all__ = ["load_model", "read_model_header", "save_model"]

_MAGIC = b"CROWDCAST-MODEL 1\n"


def save_model(model: Any, path: str | Path, *, overwrite: bool = False) -> Path:
    """Write a fitted forecaster to ``path`` atomically; refuse to overwrite unless asked.

    Examples
    --------
    >>> import crowdcast as cc, tempfile, pathlib
    >>> city = cc.make_city(zones=["station_square"], start="2024-01-01", end="2024-01-31")
    >>> model = cc.SeasonalNaive(horizon=3).fit(city.counts)
    >>> path = cc.save_model(model, pathlib.Path(tempfile.mkdtemp()) / "m.ccm")
    >>> cc.load_model(path).predict().shape[0]
    3
    """
    check_is_fitted(model, "provenance_", call="fit(...)", why="only a fitted model can be saved")
    buffer = io.BytesIO()
    joblib.dump(model, buffer, compress=3)
    payload = buffer.getvalue()
    header = {
        "format": 1,
        "crowdcast_version": __version__,
        "model": type(model).__name__,
        "payload_bytes": len(payload),
        "payload_sha256": hashlib.sha256(payload).hexdigest(),
        "provenance": model.provenance_.to_dict(),
    }
    line = json.dumps(header, sort_keys=True, default=str).encode() + b"\n"
    target = atomic_write(path, _MAGIC + line + payload, overwrite=overwrite)
    return target


def _split(path: Path) -> tuple[dict[str, Any], bytes]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ParseError(
            [Problem("the model file", "readable", str(exc), source=str(path))]
        ) from None
    if not raw.startswith(_MAGIC):
        raise ParseError(
            [
                Problem(
                    "the model file",
                    "a crowdcast model (starting with 'CROWDCAST-MODEL 1')",
                    repr(raw[:20]),
                    source=str(path),
                    hint="save models with crowdcast.save_model",
                )
            ]
        )
    head, sep, payload = raw[len(_MAGIC) :].partition(b"\n")
    try:
        header = json.loads(head) if sep else None
    except ValueError:
        header = None
    if not isinstance(header, dict) or "payload_sha256" not in header:
        raise ParseError(
            [Problem("the model header", "one line of JSON", "a damaged header", source=str(path))]
        )
    return header, payload


def read_model_header(path: str | Path) -> dict[str, Any]:
    """The header of a saved model (provenance, checksum) without loading the model."""
    return _split(Path(path))[0]


def load_model(path: str | Path) -> Any:
    """Load a model saved by :func:`save_model`, verifying its size and checksum first.

    A model saved by an older crowdcast with its whole site profile inside gets
    the non-confidential view (:meth:`~crowdcast.profiles.SiteProfile.for_model`),
    so saving it again drops the weights and venues.
    """
    p = Path(path)
    header, payload = _split(p)
    if len(payload) != header.get("payload_bytes"):
        raise ParseError(
            [
                Problem(
                    "the model payload",
                    f"{header.get('payload_bytes')} bytes as its header says",
                    f"{len(payload)} bytes (truncated or appended to)",
                    source=str(p),
                    hint="the file is damaged: save the model again",
                )
            ]
        )
    digest = hashlib.sha256(payload).hexdigest()
    if digest != header["payload_sha256"]:
        raise ParseError(
            [
                Problem(
                    "the model payload's SHA-256",
                    f"{header['payload_sha256'][:16]}... as its header says",
                    f"{digest[:16]}... (the file was changed after saving)",
                    source=str(p),
                    hint="do not load it; save the model again from a trusted run",
                )
            ]
        )
    saved = header.get("crowdcast_version")
    if saved != __version__:
        warnings.warn(
            f"{p} was saved by crowdcast {saved} and is loaded by crowdcast {__version__}; "
            "a model may not work across versions: refit it if predicting fails.",
            CrowdcastWarning,
            stacklevel=2,
        )
    model = joblib.load(io.BytesIO(payload))
    site = getattr(model, "site_", None)
    if isinstance(site, SiteProfile) and not site.redacted:  # saved before models redacted it
        model.site_ = site.for_model()
    return model
