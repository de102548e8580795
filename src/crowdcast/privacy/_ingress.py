"""Ingress guard: only aggregated counts get in; identifiers and record-level data are refused.

Every CSV/Parquet reader passes its freshly read table through
:func:`guard_ingress` (called once, by :func:`crowdcast.io._common.map_columns`),
before any parsing. The guard refuses, in one :class:`PrivacyError` listing every
problem:

- columns whose NAME denotes a personal identifier (``mac``, ``bssid``, ``imsi``,
  ``imei``, ``msisdn``, ``device_id``, ``person_id``, ``user_id``, ``email``,
  ``phone``, ``licence_plate``, ``kenteken``, ...), and, in counts and incident
  tables, per-row coordinates (``lat``, ``lon``, ...): a location trace;
- columns whose VALUES look like identifiers: MAC addresses, 15-digit IMSI/IMEI
  numbers, e-mail addresses, phone numbers, Dutch licence plates (checked on up
  to 1,000 evenly spaced rows of every text or integer column, with vectorised
  regular expressions; a column is refused when at least half of its sampled
  non-empty values match one pattern in full);
- record-level counts: rows that share a zone and timestamp with a count of 1
  each, or a counts file without a count column that holds several rows per
  zone and hour (one row per detection or sighting).

Then it drops the columns the contract does not need and reports the drop on the
``crowdcast.privacy`` logger at INFO level (not as a warning: dropping unused
columns is the intended behaviour, not a sign of bad data). The messages never
repeat an identifying value.

Pseudonymised identifiers (hashed MAC addresses) are caught by their column
name only: a hash is still personal data, but a column of hex digests cannot be
told from a column of event ids by its values.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Collection, Mapping

import numpy as np
import pandas as pd

from crowdcast._validation import Problems
from crowdcast.exceptions import PrivacyError, Problem
from crowdcast.schemas import CONTRACTS, Contract

__all__ = ["AGGREGATE_HINT", "guard_ingress", "identifier_kind"]

logger = logging.getLogger("crowdcast.privacy")

#: How to turn record-level data into what crowdcast reads.
AGGREGATE_HINT = (
    "data minimisation: aggregate before crowdcast sees the data and export only zone, "
    "timestamp and count, e.g. df.groupby(['zone', pd.Grouper(key='timestamp', "
    "freq='15min')]).size().rename('count').reset_index(); then delete the record-level file"
)
_IDENTIFIER_HINT = (
    "delete the column from the export (hashing does not anonymise it); " + AGGREGATE_HINT
)
_SAMPLE_ROWS = 1_000
_MATCH_SHARE = 0.5

# One token of a normalised column name -> what it identifies.
_NAME_TOKENS: Mapping[str, str] = {
    "mac": "a MAC address",
    "macaddr": "a MAC address",
    "macaddress": "a MAC address",
    "bssid": "a MAC address",
    "imsi": "a SIM (IMSI)",
    "imei": "a phone (IMEI)",
    "msisdn": "a phone number",
    "phone": "a phone number",
    "phonenumber": "a phone number",
    "telephone": "a phone number",
    "telefoon": "a phone number",
    "telefoonnummer": "a phone number",
    "email": "an e-mail address",
    "emailaddress": "an e-mail address",
    "kenteken": "a licence plate",
    "licenceplate": "a licence plate",
    "licenseplate": "a licence plate",
    "numberplate": "a licence plate",
    "anpr": "a licence plate",
    "deviceid": "a device",
    "personid": "a person",
    "userid": "a person",
    "visitorid": "a person",
    "customerid": "a person",
    "bsn": "a person (citizen service number)",
    "ssn": "a person (social security number)",
    "passport": "a person (passport)",
    "iban": "a bank account",
    "ipaddress": "a device (IP address)",
    "idfa": "a device (advertising id)",
    "gaid": "a device (advertising id)",
    "adid": "a device (advertising id)",
}
# Two consecutive tokens (``device_id``) read as one.
_NAME_PAIRS = {
    ("device", "id"): "deviceid",
    ("person", "id"): "personid",
    ("user", "id"): "userid",
    ("visitor", "id"): "visitorid",
    ("customer", "id"): "customerid",
    ("mac", "address"): "macaddress",
    ("licence", "plate"): "licenceplate",
    ("license", "plate"): "licenseplate",
    ("number", "plate"): "numberplate",
    ("ip", "address"): "ipaddress",
    ("e", "mail"): "email",
    ("phone", "number"): "phonenumber",
    ("ad", "id"): "adid",
}
_COORDINATE_TOKENS = frozenset({"lat", "lon", "lng", "latitude", "longitude", "gps", "geometry"})
_TRACE_CONTRACTS = frozenset({"counts", "incidents"})

_PLATE_SHAPES = (
    r"[A-Z]{1,3}-\d{1,3}-[A-Z]{1,3}",
    r"\d{1,3}-[A-Z]{1,3}-\d{1,3}",
    r"[A-Z]{2}-[A-Z]{2}-\d{2}",
    r"\d{2}-\d{2}-[A-Z]{2}",
    r"[A-Z]{2}-\d{2}-\d{2}",
    r"\d{2}-[A-Z]{2}-[A-Z]{2}",
)
#: Value patterns (matched in full, after stripping) -> what they identify.
_VALUE_PATTERNS: Mapping[str, str] = {
    "MAC addresses": r"(?i:[0-9a-f]{2}([:-])[0-9a-f]{2}(?:\1[0-9a-f]{2}){4}|"
    r"[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4})",
    "IMSI/IMEI numbers": r"\d{15}|\d{2}-\d{6}-\d{6}-\d",
    "e-mail addresses": r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}",
    "phone numbers": r"(?:\+|00)[1-9]\d{0,2}[ -]?(?:\(0\))?[ -]?\d(?:[ -]?\d){6,12}"
    r"|0[1-9](?:[ -]?\d){8}",
    "licence plates": r"(?=.{8}$)(?:" + "|".join(_PLATE_SHAPES) + ")",
}


def _tokens(name: str) -> list[str]:
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", str(name))
    return [t for t in re.split(r"[^0-9a-z]+", snake.lower()) if t]


def identifier_kind(name: str) -> str | None:
    """What a column NAME says it identifies, or None for a harmless name.

    Examples
    --------
    >>> identifier_kind("mac_address"), identifier_kind("deviceId"), identifier_kind("zone")
    ('a MAC address', 'a device', None)
    """
    tokens = _tokens(name)
    joined = [_NAME_PAIRS.get(pair) for pair in itertools.pairwise(tokens)]
    for token in [*tokens, "".join(tokens), *(j for j in joined if j)]:
        if token in _NAME_TOKENS:
            return _NAME_TOKENS[token]
    return None


def _sample(df: pd.DataFrame) -> pd.DataFrame:
    if len(df) <= _SAMPLE_ROWS:
        return df
    return df.iloc[np.unique(np.linspace(0, len(df) - 1, _SAMPLE_ROWS).astype(np.intp))]


def _value_kind(values: pd.Series) -> tuple[str, int, int, tuple[object, ...]] | None:
    """The identifier pattern most sampled values match: (kind, matches, sampled, rows)."""
    dtype = values.dtype
    if pd.api.types.is_integer_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
        text = values.dropna().astype("int64").astype(str)
    elif pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype):
        text = values.dropna().astype(str).str.strip()
        text = text[text != ""]
    else:
        return None
    if text.empty:
        return None
    for kind, pattern in _VALUE_PATTERNS.items():
        hits = text.str.fullmatch(pattern).fillna(False).to_numpy(bool)
        if hits.sum() and hits.mean() >= _MATCH_SHARE:
            return kind, int(hits.sum()), len(text), tuple(text.index[hits])
    return None


def _identifier_problems(
    df: pd.DataFrame, contract: Contract, file_names: Mapping[str, str], found: Problems
) -> None:
    """Add to ``found`` the columns that name or hold identifiers, and per-row coordinates."""
    sample = _sample(df)
    expectation = f"absent: crowdcast reads only aggregated {contract.name}, never identifiers"
    for i, column in enumerate(df.columns):
        shown = file_names.get(column, column)
        named = identifier_kind(shown) or identifier_kind(column)
        match = _value_kind(sample.iloc[:, i])
        if named is None and match is None:
            continue
        parts = []
        if named is not None:
            parts.append(f"a column named like {named}")
        if match is not None:
            kind, hits, sampled, _ = match
            parts.append(f"{hits} of {sampled} sampled values are {kind}")
        found.add(
            f"column {shown!r}",
            expectation,
            ", and ".join(parts),
            column=shown,
            rows=match[3] if match is not None else (),
            hint=_IDENTIFIER_HINT,
        )
    if contract.name in _TRACE_CONTRACTS:
        coordinates = [
            file_names.get(c, c)
            for c in df.columns
            if set(_tokens(file_names.get(c, c))) & _COORDINATE_TOKENS
        ]
        if coordinates:
            found.add(
                f"per-row coordinates ({', '.join(coordinates)})",
                f"absent from {contract.name}: zones and their coordinates belong in the "
                "site profile",
                "a location per row, as in a trace of people or devices",
                column=", ".join(coordinates),
                hint=AGGREGATE_HINT,
            )


def _record_level_problem(
    df: pd.DataFrame, source: str, file_names: Mapping[str, str]
) -> Problem | None:
    """Counts with one row per detection instead of one row per zone and interval."""
    if "zone" not in df.columns or "timestamp" not in df.columns or len(df) < 2:
        return None
    ts = df["timestamp"]
    if not pd.api.types.is_datetime64_any_dtype(ts.dtype):
        ts = pd.to_datetime(ts.astype("string"), errors="coerce", utc=True, format="ISO8601")
    elif getattr(ts.dtype, "tz", None) is None:
        ts = ts.dt.tz_localize("UTC")
    has_count = "count" in df.columns or {"in", "out"} <= set(df.columns)
    if has_count and "count" in df.columns:
        keys = pd.DataFrame({"zone": df["zone"].to_numpy(), "ts": ts.to_numpy()})
        shared = keys.duplicated(keep=False).to_numpy() & ts.notna().to_numpy()
        if not shared.any():
            return None
        ones = pd.to_numeric(df["count"].to_numpy()[shared], errors="coerce")
        if not np.all(ones == 1):
            return None  # duplicated aggregates: the contract validator reports them
        got = f"{int(shared.sum())} rows that share a zone and timestamp with a count of 1 each"
        what = "counts"
    elif not has_count:
        keys = pd.DataFrame({"zone": df["zone"].to_numpy(), "ts": ts.dt.floor("h").to_numpy()})
        shared = keys.duplicated(keep=False).to_numpy() & ts.notna().to_numpy()
        if not shared.any():
            return None
        got = f"no count column and {int(shared.sum())} rows that share a zone and hour"
        what = "counts"
    else:
        return None
    return Problem(
        f"{what}",
        "aggregated: one row per zone and interval with the number of people, "
        "not one row per person, device or detection",
        got,
        source=source,
        column=", ".join(file_names.get(c, c) for c in ("zone", "timestamp")),
        rows=tuple(df.index[shared]),
        hint=AGGREGATE_HINT,
    )


def guard_ingress(
    df: pd.DataFrame,
    *,
    source: str,
    contract: str | Contract,
    keep: Collection[str] | None = None,
    file_names: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Refuse identifiers and record-level data; drop the columns the contract does not need.

    Parameters
    ----------
    df
        A table as read from a file, columns already renamed to contract names.
    source
        The file, for messages.
    contract
        The contract the table is read into (``"counts"``, ``"events"``, ...).
    keep
        The columns to keep; the contract's columns by default.
    file_names
        Contract name -> the file's own column name, for messages.

    Returns
    -------
    pandas.DataFrame
        ``df`` without the columns outside ``keep`` (reported on the
        ``crowdcast.privacy`` logger).

    Raises
    ------
    PrivacyError
        Listing every identifier column, per-row coordinates and record-level rows.

    Examples
    --------
    >>> raw = pd.DataFrame({"timestamp": ["2024-06-01T14:00Z"] * 2, "sensor": ["s1", "s1"],
    ...                     "mac": ["a4:5e:60:c1:22:9f", "f0:18:98:3a:bc:01"]})
    >>> guard_ingress(raw.rename(columns={"sensor": "zone"}), source="sniffer.csv",
    ...               contract="counts")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    crowdcast.exceptions.PrivacyError: Refused counts input that could identify people: 2 problems.
    ...
    """
    spec = CONTRACTS[contract] if isinstance(contract, str) else contract
    names = dict(file_names or {})
    found = Problems(
        source=source,
        error=PrivacyError,
        title=f"Refused {spec.name} input that could identify people",
    )
    _identifier_problems(df, spec, names, found)
    if spec.name == "counts":
        record = _record_level_problem(df, source, names)
        if record is not None:
            found.extend([record])
    found.raise_if_any()
    wanted = set(spec.names if keep is None else keep)
    dropped = [c for c in df.columns if c not in wanted]
    if dropped:
        logger.info(
            "%s: dropped %d column(s) the %s contract does not need: %s",
            source,
            len(dropped),
            spec.name,
            ", ".join(names.get(c, c) for c in dropped),
        )
        df = df.drop(columns=dropped)
    return df
