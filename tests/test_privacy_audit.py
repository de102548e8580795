"""The audit log is append-only JSON lines, one atomic write per record."""

from __future__ import annotations

import threading
from pathlib import Path

import pandas as pd
import pytest

import crowdcast as cc
from crowdcast.cli import main
from crowdcast.exceptions import ParseError
from crowdcast.jobs import forecast_city
from crowdcast.privacy import AuditLog, file_fingerprint


def test_records_are_appended_and_read_back_in_order(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "logs" / "audit.jsonl")
    log.append({"action": "fit", "purpose": "crowd_safety"})
    log.append({"action": "forecast", "purpose": "event_planning", "outputs": [{"rows": 3}]})
    df = log.read()
    assert df["action"].tolist() == ["fit", "forecast"]
    assert df["purpose"].tolist() == ["crowd_safety", "event_planning"]
    assert str(df["time"].dtype) == "datetime64[ns, UTC]"
    assert len((tmp_path / "logs" / "audit.jsonl").read_text().splitlines()) == 2


def test_concurrent_appends_never_interleave(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl")
    payload = "x" * 2000

    def write(who: str) -> None:
        for i in range(100):
            AuditLog(log.path).append({"writer": who, "i": i, "payload": payload})

    threads = [threading.Thread(target=write, args=(w,)) for w in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    df = log.read()
    assert len(df) == 200
    assert df.groupby("writer")["i"].apply(list).to_dict() == {
        "a": list(range(100)),
        "b": list(range(100)),
    }


def test_a_torn_line_is_reported_with_its_line_number(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl")
    log.append({"action": "forecast"})
    with log.path.open("a") as fh:
        fh.write('{"action": "forec')
    with pytest.raises(ParseError) as info:
        log.read()
    assert str(info.value) == (
        "Invalid audit log: 1 problem.\n"
        "- each audit record must be one JSON object per line. Got 1 unreadable line(s).\n"
        f"    where: {log.path}, rows 2\n"
        "    hint: a run was interrupted while writing, or the file was edited"
    )


def test_forecast_city_appends_its_run(tmp_path: Path) -> None:
    city = cc.load_sample()
    out = tmp_path / "f.csv"
    forecast_city(
        city, model=cc.SeasonalNaive(horizon=3), horizon=3, out=out, audit=tmp_path / "a.jsonl"
    )
    record = AuditLog(tmp_path / "a.jsonl").read().iloc[0]
    assert record["action"] == "forecast" and record["purpose"] == "crowd_safety"
    assert [s["id"] for s in record["sources"]] == [
        "counts",
        "events",
        "weather_observed",
        "weather_forecasts",
    ]
    assert record["sources"][0]["sha256"] == file_fingerprint(cc.sample_path() / "counts.csv")
    assert record["outputs"][0]["sha256"] == file_fingerprint(out)
    assert record["outputs"][0]["rows"] == 21
    assert record["model"]["name"] == "SeasonalNaive"


def test_the_cli_forecast_writes_a_suppressed_forecast_and_audits_it(tmp_path: Path) -> None:
    out, audit = tmp_path / "f.csv", tmp_path / "audit.jsonl"
    site = str(cc.sample_path() / "site.toml")
    args = ["forecast", site, "--horizon", "3", "--out", str(out), "--audit", str(audit)]
    assert main([*args, "--purpose", "event_planning", "--publish"]) == 0
    written = pd.read_csv(out)
    values = written[["q0.1", "q0.5", "q0.9"]].to_numpy()
    assert ((values == 0) | (values >= 15)).all() and "suppressed" in written
    record = AuditLog(audit).read().iloc[0]
    assert record["purpose"] == "event_planning"
    assert record["outputs"][0]["suppressed"] in (True, False)
