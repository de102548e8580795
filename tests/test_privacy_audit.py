"""The audit log is append-only JSON lines, one atomic write per record."""

from __future__ import annotations

import threading
from pathlib import Path

import pandas as pd
import pytest

import crowdcast as cc
from crowdcast._validation import check_writable
from crowdcast.cli import main
from crowdcast.exceptions import ParameterError, ParseError
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


# ----------------------------------------------------------------------------- unwritable logs


class _CountingNaive(cc.SeasonalNaive):
    fits = 0

    def fit(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        type(self).fits += 1
        return super().fit(*args, **kwargs)


def _unwritable_logs(tmp_path: Path) -> dict[str, Path]:
    (tmp_path / "a_folder").mkdir()
    (tmp_path / "a_file").write_text("not a folder")
    return {
        "a directory": tmp_path / "a_folder",
        "under a file": tmp_path / "a_file" / "audit.jsonl",
    }


@pytest.mark.parametrize("case", ["a directory", "under a file"])
def test_an_unwritable_audit_log_is_refused_before_any_output(tmp_path: Path, case: str) -> None:
    audit = _unwritable_logs(tmp_path)[case]
    out = tmp_path / "forecast.csv"
    model, _CountingNaive.fits = _CountingNaive(horizon=3), 0
    with pytest.raises(ParameterError) as info:
        forecast_city(cc.load_sample(), model=model, horizon=3, out=out, audit=audit)
    text = str(info.value)
    assert text.startswith("Cannot write the audit log: 1 problem.\n- the audit log ")
    assert str(audit) in text and "hint: " in text
    assert not out.exists()  # nothing was written, and nothing was fitted either
    assert _CountingNaive.fits == 0


def test_an_output_that_is_a_directory_is_refused_before_fitting(tmp_path: Path) -> None:
    model, _CountingNaive.fits = _CountingNaive(horizon=3), 0
    with pytest.raises(ParameterError, match="a file path, not a directory"):
        forecast_city(cc.load_sample(), model=model, horizon=3, out=tmp_path)
    assert _CountingNaive.fits == 0


def test_append_refuses_an_unwritable_log_and_reports_what_the_system_said(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a_folder").mkdir()
    with pytest.raises(ParameterError, match="the audit log must be a file path, not a dir"):
        AuditLog(tmp_path / "a_folder").append({"action": "forecast"})

    def refuse(*args: object, **kwargs: object) -> int:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("crowdcast.privacy._audit.os.open", refuse)  # a change after the check
    with pytest.raises(ParameterError) as info:
        AuditLog(tmp_path / "audit.jsonl").append({"action": "forecast"})
    assert "a file crowdcast can append to. Got " in str(info.value)
    assert "(Permission denied)" in str(info.value)


def test_read_only_folders_and_logs_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # permissions as a non-root user sees them (root may write anywhere)
    read_only = {tmp_path / "ro", tmp_path / "log.jsonl"}
    monkeypatch.setattr(
        "crowdcast._validation.os.access", lambda path, mode: Path(path) not in read_only
    )
    (tmp_path / "ro").mkdir()
    (tmp_path / "log.jsonl").write_text("")
    with pytest.raises(ParameterError, match="in a folder you may write to"):
        AuditLog(tmp_path / "ro" / "audit.jsonl").check()
    with pytest.raises(ParameterError, match=r"a file you may write to. Got .*\(read-only\)"):
        AuditLog(tmp_path / "log.jsonl").check()
    # a replaced file is renamed over: its own permissions do not matter, its folder's do
    assert check_writable(tmp_path / "log.jsonl", overwrite=True) == tmp_path / "log.jsonl"


@pytest.mark.parametrize("case", ["a directory", "under a file"])
def test_the_cli_reports_an_unwritable_audit_log_without_a_traceback(
    tmp_path: Path, case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    audit = _unwritable_logs(tmp_path)[case]
    out = tmp_path / "f.csv"
    site = str(cc.sample_path() / "site.toml")
    args = ["forecast", site, "--purpose", "crowd_safety", "--horizon", "3"]
    assert main([*args, "--out", str(out), "--audit", str(audit)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("crowdcast: error: Cannot write the audit log")
    assert "Traceback" not in err and "hint: " in err
    assert not out.exists()
