"""Ingress guard: only aggregated counts get in; identifiers and record-level data are refused.

Every CSV/Parquet reader passes its freshly read table through
:func:`guard_ingress` (called once, by :func:`crowdcast.io._common.map_columns`),
before any parsing. The guard refuses, in one :class:`PrivacyError` listing every
problem:

- columns whose NAME denotes a personal identifier (``mac``, ``bssid``, ``imsi``,
  ``imei``, ``msisdn``, ``device_id``, ``person_id``, ``user_id``, ``email``,
  ``phone``, ``licence_plate``, ``kenteken``, ...) or a pseudonymised one
  (``device``, ``hash``, ``sha256``, ``uid``, ``uuid``, ``client_id``,
  ``session_id``, ``cookie``, ``token``, ...; a name that also says it counts,
  such as ``device_count``, is an aggregate), and, in counts and incident
  tables, per-row coordinates (``lat``, ``lon``, ...): a location trace;
- columns whose VALUES look like identifiers: MAC addresses, 15-digit IMSI/IMEI
  numbers, e-mail addresses, phone numbers, Dutch licence plates, and hashed or
  tokenised identifiers (hex strings of 16-64 bytes, UUIDs, base64 of 16-64
  bytes with mixed case and digits; not in ``zone``, ``location`` and
  ``event_id``, which name places and events). Values are checked in any dtype:
  text, integers, whole floats (an IMSI stored as a float, or an integer column
  made float by one blank cell), raw bytes (read as hex) and categoricals, on up
  to 1,000 evenly spaced rows of every column with vectorised regular
  expressions; a column is refused when at least half of its sampled non-empty
  values match one pattern in full;
- a counts file without a count column that holds several rows per zone and
  hour (one row per detection or sighting).

Then it drops the columns the contract does not need and reports the drop on the
``crowdcast.privacy`` logger at INFO level (not as a warning: dropping unused
columns is the intended behaviour, not a sign of bad data). The messages never
repeat an identifying value.

Once the counts reader has parsed timestamps and counts,
:func:`crowdcast.privacy.guard_counts` (``_records``) checks the rows themselves.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Collection, Mapping

import numpy as np
import pandas as pd

from crowdcast._validation import Problems
from crowdcast.exceptions import PrivacyError
from crowdcast.privacy._records import AGGREGATE_HINT, sightings_problem
from crowdcast.schemas import CONTRACTS, Contract

__all__ = ["AGGREGATE_HINT", "guard_ingress", "identifier_kind"]

logger = logging.getLogger("crowdcast.privacy")

_IDENTIFIER_HINT = (
    "delete the column from the export (hashing does not anonymise it); " + AGGREGATE_HINT
)
_SAMPLE_ROWS = 1_000
_MATCH_SHARE = 0.5

_HASHED = "a pseudonymised identifier (hash)"
_TOKEN = "a pseudonymised identifier (token)"
_UNIQUE = "a person or device (unique id)"
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
    "tmsi": "a SIM (TMSI)",
    "subscriberid": "a SIM (subscriber)",
    "hash": _HASHED,
    "hashed": _HASHED,
    "digest": _HASHED,
    "md5": _HASHED,
    "sha1": _HASHED,
    "sha256": _HASHED,
    "token": _TOKEN,
    "pseudonym": _TOKEN,
    "pseudoid": _TOKEN,
    "uid": _UNIQUE,
    "uuid": _UNIQUE,
    "guid": _UNIQUE,
    "device": "a device",
    "clientid": "a device (client id)",
    "sessionid": "a visit (session id)",
    "cookie": "a browser (cookie)",
    "cookieid": "a browser (cookie)",
}
#: Generic kinds, reported only when no specific one (MAC, IMSI, ...) is named too.
_GENERIC = (_HASHED, _TOKEN, "a device", _UNIQUE)
#: A name with one of these tokens counts identifiers (``device_count``): an aggregate.
_COUNT_TOKENS = frozenset({"count", "counts", "n", "num", "total", "sum", "aantal", "unique"})
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
    ("client", "id"): "clientid",
    ("session", "id"): "sessionid",
    ("cookie", "id"): "cookieid",
    ("subscriber", "id"): "subscriberid",
    ("pseudo", "id"): "pseudoid",
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
#: Hashed or tokenised identifiers: 16-64 bytes as hex, a UUID, or base64 that
#: looks random (both cases, at least two digits, no run of 8 lowercase letters).
_TOKEN_PATTERNS: Mapping[str, str] = {
    "hashed or tokenised identifiers (hex)": r"(?i:(?:0x)?(?:[0-9a-f]{2}){16,64})",
    "hashed or tokenised identifiers (UUID)": r"(?i:\{?[0-9a-f]{8}(?:-[0-9a-f]{4}){3}"
    r"-[0-9a-f]{12}\}?)",
    "hashed or tokenised identifiers (base64)": r"(?=(?:\D*\d){2})(?=[^a-z]*[a-z])(?=[^A-Z]*[A-Z])"
    r"(?!.*[a-z]{8})(?:[A-Za-z0-9+/]{22,86}={0,2}|[A-Za-z0-9_-]{22,86})",
}
#: Columns that name places and events (not people): ids there may look like tokens.
_PLACE_AND_EVENT_IDS = frozenset({"zone", "location", "event_id"})


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
    if _COUNT_TOKENS.intersection(tokens):
        return None
    joined = [_NAME_PAIRS.get(pair) for pair in itertools.pairwise(tokens)]
    kinds = [
        _NAME_TOKENS[t]
        for t in [*tokens, "".join(tokens), *(j for j in joined if j)]
        if t in _NAME_TOKENS
    ]
    return min(kinds, key=lambda k: _GENERIC.index(k) + 1 if k in _GENERIC else 0, default=None)


def _sample(df: pd.DataFrame) -> pd.DataFrame:
    if len(df) <= _SAMPLE_ROWS:
        return df
    return df.iloc[np.unique(np.linspace(0, len(df) - 1, _SAMPLE_ROWS).astype(np.intp))]


def _cell_text(value: object) -> str:
    """One cell of an object column as text: bytes as hex, whole floats without ``.0``."""
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, float | np.floating) and np.isfinite(value) and value == int(value):
        return str(int(value))
    return str(value).strip()


def _as_text(values: pd.Series) -> pd.Series:
    """The non-empty values of a column of any dtype as text, indexed by their rows."""
    values = values.dropna()
    if isinstance(values.dtype, pd.CategoricalDtype):
        values = values.astype(object)
    dtype = values.dtype
    if pd.api.types.is_bool_dtype(dtype) or not (
        pd.api.types.is_numeric_dtype(dtype)
        or pd.api.types.is_object_dtype(dtype)
        or pd.api.types.is_string_dtype(dtype)
    ):
        return pd.Series([], dtype=str)  # booleans, times: nothing that identifies
    if pd.api.types.is_integer_dtype(dtype):
        return values.astype(str)
    if pd.api.types.is_float_dtype(dtype):  # an IMSI stored as float, or ints with a blank
        f = values.to_numpy(np.float64)
        whole = np.isfinite(f) & (np.abs(f) < 2.0**63)
        whole[whole] &= f[whole] == np.floor(f[whole])
        return pd.Series(f[whole].astype(np.int64).astype(str), index=values.index[whole])
    text = values.map(_cell_text).astype(str)
    return text[text != ""]


def _value_kind(
    values: pd.Series, tokens: bool = True, uids: bool = False
) -> tuple[str, int, int, tuple[object, ...]] | None:
    """The identifier pattern most sampled values match: (kind, matches, sampled, rows).

    With ``uids`` (an event id column) values shaped like e-mail addresses
    pass: RFC 5545 UIDs are written that way (``...@google.com``) and name
    an event, not a person.
    """
    text = _as_text(values)
    if text.empty:
        return None
    patterns = {**_VALUE_PATTERNS, **(_TOKEN_PATTERNS if tokens else {})}
    if uids:
        patterns.pop("e-mail addresses")
    for kind, pattern in patterns.items():
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
        match = _value_kind(
            sample.iloc[:, i],
            tokens=column not in _PLACE_AND_EVENT_IDS,
            uids=column == "event_id",
        )
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
        record = sightings_problem(df, source, names)
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
