"""The ingress guard refuses identifiers and record-level data, in every CSV/Parquet reader."""

from __future__ import annotations

import logging
from pathlib import Path

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
        "identifiers. Got a column named like a device.\n"
        f"    where: {path}, column 'device_id'\n"
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
