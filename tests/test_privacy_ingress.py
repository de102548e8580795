"""The ingress guard refuses identifiers and record-level data, in every CSV/Parquet reader."""

from __future__ import annotations

import base64
import hashlib
import logging
import re
import uuid
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import crowdcast as cc
from crowdcast.exceptions import PrivacyError
from crowdcast.privacy import guard_ingress, identifier_kind

HINT = (
    "data minimisation: aggregate before crowdcast sees the data and export only zone, "
    "timestamp and count, e.g. df.groupby(['zone', pd.Grouper(key='timestamp', "
    "freq='15min')]).size().rename('count').reset_index(); then delete the record-level file"
)


@pytest.fixture
def privacy(fixtures: Path) -> Path:
    return fixtures / "privacy"


def test_a_wifi_sniffer_export_with_mac_addresses_is_refused(privacy: Path) -> None:
    path = privacy / "wifi_sniffer.csv"
    with pytest.raises(PrivacyError) as info:
        cc.read_counts(path, columns={"sensor": "zone"})
    assert str(info.value) == (
        "Refused counts input that could identify people: 2 problems.\n"
        "- column 'mac' must be absent: crowdcast reads only aggregated counts, never "
        "identifiers. Got a column named like a MAC address, and 6 of 6 sampled values are "
        "MAC addresses.\n"
        f"    where: {path}, column 'mac', rows 2, 3, 4, 5, 6 (and 1 more)\n"
        "    hint: delete the column from the export (hashing does not anonymise it); "
        f"{HINT}\n"
        "- counts must be aggregated: one row per zone and interval with the number of "
        "people, not one row per person, device or detection. Got no count column and 6 rows "
        "that share a zone and hour.\n"
        f"    where: {path}, column 'sensor, timestamp', rows 2, 3, 4, 5, 6 (and 1 more)\n"
        f"    hint: {HINT}"
    )
    assert len(info.value.problems) == 2
    assert "a4:5e:60" not in str(info.value)  # messages never repeat an identifier


def test_a_per_person_gps_trace_is_refused(privacy: Path) -> None:
    path = privacy / "gps_trace.csv"
    with pytest.raises(PrivacyError) as info:
        cc.read_counts(path)
    assert str(info.value) == (
        "Refused counts input that could identify people: 2 problems.\n"
        "- column 'device_id' must be absent: crowdcast reads only aggregated counts, never "
        "identifiers. Got a column named like a device, and 5 of 5 sampled values are hashed "
        "or tokenised identifiers (UUID).\n"
        f"    where: {path}, column 'device_id', rows 2, 3, 4, 5, 6\n"
        "    hint: delete the column from the export (hashing does not anonymise it); "
        f"{HINT}\n"
        "- per-row coordinates (lat, lon) must be absent from counts: zones and their "
        "coordinates belong in the site profile. Got a location per row, as in a trace of "
        "people or devices.\n"
        f"    where: {path}, column 'lat, lon'\n"
        f"    hint: {HINT}"
    )


def test_counts_of_one_per_detection_are_record_level(tmp_path: Path) -> None:
    path = tmp_path / "detections.csv"
    path.write_text(
        "zone,timestamp,count\n"
        + "".join("square,2024-06-01T14:00:00Z,1\n" for _ in range(4))
        + "square,2024-06-01T15:00:00Z,1\n"
    )
    with pytest.raises(PrivacyError, match="Got 4 rows that share a zone and timestamp") as info:
        cc.read_counts(path)
    assert "rows 2, 3, 4, 5" in str(info.value)


def test_duplicated_aggregates_are_left_to_the_contract_validator(tmp_path: Path) -> None:
    path = tmp_path / "dup.csv"
    path.write_text(
        "zone,timestamp,count\nsquare,2024-06-01T14:00Z,40\nsquare,2024-06-01T14:00Z,42\n"
    )
    with pytest.raises(cc.exceptions.DataValidationError, match="must be unique"):
        cc.read_counts(path, freq="1h")


@pytest.mark.parametrize(
    ("column", "values", "kind"),
    [
        ("who", ["204043123456789", "204043987654321"], "IMSI/IMEI numbers"),
        ("contact", ["jan@example.nl", "piet@havenstad.nl"], "e-mail addresses"),
        ("tel", ["+31 6 12345678", "0612345678"], "phone numbers"),
        ("vehicle", ["AB-12-CD", "12-ABC-3"], "licence plates"),
        ("ap", ["001a.2b3c.4d5e", "001a.2b3c.4d5f"], "MAC addresses"),
    ],
)
def test_identifier_values_are_refused_whatever_the_column_is_called(
    column: str, values: list[str], kind: str
) -> None:
    df = pd.DataFrame({"zone": ["a", "b"], "timestamp": ["2024-06-01T14:00Z"] * 2, column: values})
    with pytest.raises(PrivacyError) as info:
        guard_ingress(df, source="export.csv", contract="counts")
    assert f"Got 2 of 2 sampled values are {kind}." in str(info.value)
    assert f"column {column!r}" in str(info.value)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("mac", "a MAC address"),
        ("MAC_Address", "a MAC address"),
        ("bssid", "a MAC address"),
        ("imsi", "a SIM (IMSI)"),
        ("imei", "a phone (IMEI)"),
        ("deviceId", "a device"),
        ("person_id", "a person"),
        ("user-id", "a person"),
        ("e-mail", "an e-mail address"),
        ("msisdn", "a phone number"),
        ("licence plate", "a licence plate"),
        ("kenteken", "a licence plate"),
        ("mac_hash", "a MAC address"),
    ],
)
def test_identifier_names_are_recognised(name: str, kind: str) -> None:
    assert identifier_kind(name) == kind


@pytest.mark.parametrize(
    "name", ["zone", "timestamp", "count", "sensor", "camera_id", "machine", "event_id", "name"]
)
def test_ordinary_names_are_not_identifiers(name: str) -> None:
    assert identifier_kind(name) is None


def test_ordinary_values_pass_the_value_check() -> None:
    df = pd.DataFrame(
        {
            "zone": ["station_square", "market_square"],
            "timestamp": ["2024-06-01T14:00:00+02:00", "2024-06-01 14:00"],
            "count": ["1234", "0"],
            "note": ["2024-06-01", "Stadion AB-12"],
        }
    )
    out = guard_ingress(df, source="ok.csv", contract="counts", keep=df.columns)
    assert out.equals(df)


def test_columns_the_contract_does_not_need_are_dropped_and_reported(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "counts.csv"
    path.write_text(
        "zone,timestamp,count,sensor_status,operator\n"
        "square,2024-06-01T14:00Z,40,ok,acme\nsquare,2024-06-01T15:00Z,41,ok,acme\n"
    )
    with caplog.at_level(logging.INFO, logger="crowdcast.privacy"):
        counts = cc.read_counts(path)
    assert list(counts.columns) == ["zone", "timestamp", "count"]
    assert (
        f"{path}: dropped 2 column(s) the counts contract does not need: sensor_status, operator"
        in caplog.messages
    )


def test_every_table_reader_is_guarded(tmp_path: Path) -> None:
    path = tmp_path / "incidents.csv"
    path.write_text(
        "timestamp,zone,kind,count,reporter_email\n"
        "2024-06-01T22:00Z,square,aggression,1,agent@politie.nl\n"
    )
    with pytest.raises(PrivacyError, match="column 'reporter_email' must be absent"):
        cc.read_incidents(path)
    events = tmp_path / "events.csv"
    events.write_text(
        "event_id,name,zone,start,end,organiser_phone\n"
        "e1,Concert,square,2024-06-01T20:00Z,2024-06-01T23:00Z,0201234567\n"
    )
    with pytest.raises(PrivacyError, match="named like a phone number"):
        cc.read_events_csv(events, zones=["square"])


def test_wide_counts_keep_their_zone_columns(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_text("timestamp,a,b\n2024-06-01T14:00Z,1,2\n2024-06-01T15:00Z,3,4\n")
    counts = cc.read_counts(path, layout="wide")
    assert sorted(counts["zone"].unique()) == ["a", "b"]


def test_the_sample_city_passes_the_guard() -> None:
    assert len(cc.load_sample().counts) > 0


# --------------------------------------------------------------- hashed and tokenised identifiers


def _hourly(n: int, **extra: object) -> pd.DataFrame:
    t = pd.date_range("2024-06-01", periods=n, freq="h", tz="UTC")
    return pd.DataFrame(
        {"zone": "square", "timestamp": t.strftime("%Y-%m-%dT%H:%M:%SZ"), "count": 40, **extra}
    )


def _digests(n: int, size: int = 32) -> list[bytes]:
    return [hashlib.blake2b(str(i).encode(), digest_size=size).digest() for i in range(n)]


def test_a_device_hash_column_of_sha256_digests_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "counts.csv"
    _hourly(50, device_hash=[d.hex() for d in _digests(50)]).to_csv(path, index=False)
    with pytest.raises(PrivacyError) as info:
        cc.read_counts(path)
    message = str(info.value)
    assert "column 'device_hash' must be absent" in message
    assert "a column named like a pseudonymised identifier (hash)" in message
    assert "50 of 50 sampled values are hashed or tokenised identifiers (hex)" in message
    assert _digests(1)[0].hex()[:12] not in message  # never repeats a value


_ENCODINGS = [
    (lambda d: d.hex(), "hex"),
    (lambda d: d.hex().upper(), "hex"),
    (lambda d: base64.b64encode(d).decode(), "base64"),
    (lambda d: base64.urlsafe_b64encode(d).decode().rstrip("="), "base64"),
]


@pytest.mark.parametrize(
    ("encode", "kind", "size"),
    [(*e, size) for e in _ENCODINGS for size in (16, 20, 32, 64)]
    + [(lambda d: str(uuid.UUID(bytes=d)), "UUID", 16)],
)
def test_hex_and_base64_tokens_of_16_to_64_bytes_are_refused_whatever_the_name(
    encode: Callable[[bytes], str], kind: str, size: int
) -> None:
    df = _hourly(40, ref=[encode(d) for d in _digests(40, size)])
    with pytest.raises(PrivacyError) as info:
        guard_ingress(df, source="export.csv", contract="counts")
    # a random base64 token may lack two digits: the column is refused when most values match
    found = re.search(
        rf"(\d+) of 40 sampled values are hashed or tokenised identifiers \({kind}\)",
        str(info.value),
    )
    assert found is not None and int(found.group(1)) >= (40 if kind != "base64" else 30)


@pytest.mark.parametrize(
    "values",
    [
        ["a3f9c2", "ffee0011"],  # short codes (colours, sensor ids)
        ["station_square_north_entrance", "market_square_east_side_exit"],  # long words
        ["Koningsdag2024Havenstadcentrum", "KoningsnachtHavenstadCentrum"],  # names, no digits
        ["0123456789abcdef0123456789abcde"],  # 31 hex characters: not whole bytes
    ],
)
def test_short_codes_and_long_words_are_not_tokens(values: list[str]) -> None:
    df = _hourly(len(values), note=values)
    assert guard_ingress(df, source="ok.csv", contract="counts", keep=df.columns).equals(df)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("device_hash", "a pseudonymised identifier (hash)"),
        ("hash", "a pseudonymised identifier (hash)"),
        ("hashed_mac", "a MAC address"),
        ("sha256", "a pseudonymised identifier (hash)"),
        ("uid", "a person or device (unique id)"),
        ("UUID", "a person or device (unique id)"),
        ("client_id", "a device (client id)"),
        ("clientId", "a device (client id)"),
        ("device", "a device"),
        ("session_id", "a visit (session id)"),
        ("cookie", "a browser (cookie)"),
        ("token", "a pseudonymised identifier (token)"),
        ("pseudonym", "a pseudonymised identifier (token)"),
        ("imsi_hash", "a SIM (IMSI)"),
        ("tmsi", "a SIM (TMSI)"),
    ],
)
def test_hashed_and_tokenised_identifier_names_are_recognised(name: str, kind: str) -> None:
    assert identifier_kind(name) == kind


@pytest.mark.parametrize(
    "name", ["device_count", "unique_devices", "n_devices", "hash_count", "client", "sensor_id"]
)
def test_counts_of_devices_are_not_identifiers(name: str) -> None:
    assert identifier_kind(name) is None


def test_event_ids_may_be_uuids(tmp_path: Path) -> None:
    events = tmp_path / "events.csv"
    events.write_text(
        "event_id,name,zone,start,end\n"
        + "".join(
            f"{uuid.UUID(int=i)},Concert,square,2024-06-0{i}T20:00Z,2024-06-0{i}T23:00Z\n"
            for i in range(1, 4)
        )
    )
    assert len(cc.read_events_csv(events, zones=["square"])) == 3


# ------------------------------------------------------------------- identifiers in any dtype


def test_an_imsi_stored_as_float_in_parquet_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "counts.parquet"
    imsi = 204_043_000_000_000 + np.arange(30) * 7_919
    df = _hourly(30, subscriber=imsi.astype(float))
    df["timestamp"] = pd.to_datetime(df["timestamp"])
    df.to_parquet(path)
    with pytest.raises(PrivacyError, match="30 of 30 sampled values are IMSI/IMEI numbers"):
        cc.read_counts(path)


def test_one_blank_cell_does_not_hide_an_imsi_column(tmp_path: Path) -> None:
    path = tmp_path / "counts.csv"
    who = [str(204_043_000_000_000 + i) for i in range(30)]
    who[3] = ""  # pandas reads the column as float
    _hourly(30, who=who).to_csv(path, index=False)
    with pytest.raises(PrivacyError, match="29 of 29 sampled values are IMSI/IMEI numbers"):
        cc.read_counts(path)


@pytest.mark.parametrize("store", ["binary", "category"])
def test_identifiers_in_binary_and_dictionary_parquet_columns_are_refused(
    tmp_path: Path, store: str
) -> None:
    path = tmp_path / "counts.parquet"
    df = _hourly(30)
    df["timestamp"] = pd.to_datetime(df["timestamp"])
    if store == "binary":
        df["probe"] = _digests(30)
        expected = "30 of 30 sampled values are hashed or tokenised identifiers (hex)"
    else:
        macs = [f"a4:5e:60:c1:22:{i:02x}" for i in range(30)]
        df["probe"] = pd.Categorical(macs)
        expected = "30 of 30 sampled values are MAC addresses"
    df.to_parquet(path)
    with pytest.raises(PrivacyError, match=re.escape(expected)):
        cc.read_counts(path)


# --------------------------------------------------------------------------- detection logs


def _detections(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    seconds = np.unique(rng.integers(0, 6 * 3600, n))  # irregular, to the second
    t = pd.Timestamp("2024-06-01T14:00Z") + pd.to_timedelta(seconds, unit="s")
    return pd.DataFrame({"zone": "square", "timestamp": t, "count": 1.0})


def test_a_detection_log_with_a_count_of_one_per_row_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "detections.csv"
    det = _detections(2_000)
    det.assign(timestamp=det["timestamp"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")).to_csv(
        path, index=False
    )
    with pytest.raises(PrivacyError) as info:
        cc.read_counts(path)
    message = str(info.value)
    assert message.startswith("Refused counts input that could identify people: 1 problem.\n")
    assert (
        "counts must be aggregated: one row per zone and interval with the number of people, "
        f"not one row per person, device or detection. Got {len(det)} rows at irregular "
        "sub-minute times (smallest step 1 s" in message
    )
    assert "count 1 in" in message and f"where: {path}, column 'zone, timestamp, count'" in message
    assert HINT in message


def test_a_detection_log_in_parquet_with_second_resolution_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "detections.parquet"
    _detections(500, seed=1).to_parquet(path)
    with pytest.raises(PrivacyError, match="irregular sub-minute times"):
        cc.read_counts(path)


def test_regular_sub_minute_counts_are_aggregates(tmp_path: Path) -> None:
    path = tmp_path / "ten_seconds.csv"
    t = pd.date_range("2024-06-01T02:00Z", periods=720, freq="10s")
    rng = np.random.default_rng(0)
    pd.DataFrame(
        {
            "zone": "gate",
            "timestamp": t.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "count": rng.poisson(0.7, 720),
        }
    ).to_csv(path, index=False)
    assert len(cc.read_counts(path)) == 720


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("long.csv", {}),
        (
            "line_counter.csv",
            {"columns": {"gate": "zone", "interval_end": "timestamp"}, "label": "end"},
        ),
        (
            "wide_autumn_dst.csv",
            {"layout": "wide", "columns": {"Tijd": "timestamp"}, "timezone": "Europe/Amsterdam"},
        ),
    ],
)
def test_the_counts_fixtures_pass_the_guard(fixtures: Path, name: str, options: dict) -> None:  # type: ignore[type-arg]
    assert len(cc.read_counts(fixtures / "counts" / name, **options)) > 0
