"""Audit trail: an append-only JSON-lines log of runs.

One line per run: when (UTC), what (``action``), the declared ``purpose``, the
site, the sources read with the SHA-256 of their files, the model and its
provenance fingerprints, and the outputs written with their SHA-256. Each
record is one ``os.write`` of a complete line to a file opened with
``O_APPEND``, followed by ``fsync``: on a local file system concurrent writers
never interleave within a line and a crash loses at most the record being
written. The log never holds counts or any personal data.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from crowdcast._validation import check_writable
from crowdcast._version import __version__
from crowdcast.exceptions import CrowdcastError, ParameterError, ParseError, Problem

__all__ = ["AuditLog", "file_fingerprint"]

_TITLE = "Cannot write the audit log"


def file_fingerprint(path: str | Path) -> str | None:
    """SHA-256 of a file's bytes (None when it does not exist).

    >>> import crowdcast as cc
    >>> len(file_fingerprint(cc.sample_path() / "site.toml"))
    64
    """
    p = Path(path)
    if not p.is_file():
        return None
    h = hashlib.sha256()
    with p.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class AuditLog:
    """An append-only JSON-lines file of runs.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> log = AuditLog(pathlib.Path(tempfile.mkdtemp()) / "audit.jsonl")
    >>> _ = log.append({"action": "forecast", "purpose": "crowd_safety"})
    >>> log.read()[["action", "purpose"]].values.tolist()
    [['forecast', 'crowd_safety']]
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"AuditLog({str(self.path)!r})"

    def check(self) -> AuditLog:
        """Make sure records can be appended here, before a run writes anything else.

        Raises
        ------
        ParameterError
            When the path is a directory, lies under a file, or is not writable,
            with a hint; nothing is created.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> AuditLog(pathlib.Path(tempfile.mkdtemp())).check()
        Traceback (most recent call last):
        ...
        crowdcast.exceptions.ParameterError: Cannot write the audit log: 1 problem.
        - the audit log must be a file path, not a directory. Got ...
        """
        check_writable(self.path, append=True, what="the audit log", title=_TITLE)
        return self

    def append(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """Append one record (``time`` and ``crowdcast_version`` are added); return it.

        A log that cannot be written raises a ParameterError (see :meth:`check`).
        """
        self.check()
        full = {
            "time": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
            "crowdcast_version": __version__,
            **record,
        }
        line = (json.dumps(full, sort_keys=True, default=str) + "\n").encode()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        except OSError as exc:  # changed since the check, or refused by the file system
            raise ParameterError(
                [
                    Problem(
                        "the audit log",
                        "a file crowdcast can append to",
                        f"{self.path} ({exc.strerror or exc})",
                        hint="give a writable file path with --audit / audit=",
                    )
                ],
                title=_TITLE,
            ) from exc
        try:
            written = os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)
        if written != len(line):  # pragma: no cover - a full disk
            raise CrowdcastError(
                f"Only {written} of {len(line)} bytes of an audit record reached {self.path}."
            )
        return full

    def read(self) -> pd.DataFrame:
        """Every record as a row (``time`` as UTC timestamps), in the order written."""
        if not self.path.is_file():
            return pd.DataFrame({"time": pd.Series(dtype="datetime64[ns, UTC]")})
        records, bad = [], []
        with self.path.open(encoding="utf-8") as fh:
            for number, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    records.append(json.loads(line))
                except json.JSONDecodeError:
                    bad.append(number)
        if bad:
            raise ParseError(
                [
                    Problem(
                        "each audit record",
                        "one JSON object per line",
                        f"{len(bad)} unreadable line(s)",
                        source=str(self.path),
                        rows=tuple(bad),
                        hint="a run was interrupted while writing, or the file was edited",
                    )
                ],
                title="Invalid audit log",
            )
        df = pd.DataFrame.from_records(records)
        df["time"] = pd.to_datetime(df["time"], utc=True, format="ISO8601").dt.as_unit("ns")
        return df
