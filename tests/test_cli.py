"""The CLI is a thin shell: it prints what the library returns and turns errors into exit codes."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from crowdcast.cli import main


def test_demo_trains_forecasts_and_writes_the_forecast(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "forecast.csv"
    assert main(["demo", "--horizon", "6", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "Site 'havenstad'" in text
    assert "Counts: 7 zones" in text and "every 1 h" in text
    assert "Forecast from 2025-01-01 01:00 CET to 2025-01-01 06:00 CET for 7 zones" in text
    assert "peak (local)" in text and "P90" in text and "same time last week" in text
    # units, levels, one line on P50/P90, changes in percent (issue 18)
    lines = {line.split()[0]: line for line in text.splitlines() if line.strip()}
    assert (
        " present " in lines["stadium_plaza"] and " passing per hour " in lines["nightlife_street"]
    )
    assert re.search(r" (green|yellow|orange|red) +\d+ % ", lines["station_square"])
    assert re.search(r" [A-F] +\d+ % ", lines["shopping_street"])
    assert "P50 = the expected crowd (as likely more as less); P90 = a high but" in text
    for zone in ("market_square", "stadium_plaza"):
        assert re.search(r" (?:[+-][\d,]+ %|-)$", lines[zone]), lines[zone]
    assert not re.search(r" x[\d,]+\b", text)
    written = pd.read_csv(out)
    assert list(written.columns) == [
        "zone",
        "origin",
        "timestamp",
        "horizon",
        "q0.1",
        "q0.5",
        "q0.9",
    ]
    assert len(written) == 7 * 6


def test_summary_prints_zones_and_gaps(capsys: pytest.CaptureFixture[str]) -> None:
    from crowdcast import sample_path

    assert main(["summary", str(sample_path() / "site.toml"), "--purpose", "operations"]) == 0
    text = capsys.readouterr().out
    assert "stadium_plaza" in text and "Longest gaps" in text


def test_forecast_refuses_to_overwrite_an_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from crowdcast import sample_path

    out = tmp_path / "f.csv"
    out.write_text("mine")
    assert (
        main(
            [
                "forecast",
                str(sample_path() / "site.toml"),
                "--purpose",
                "crowd_safety",
                "--out",
                str(out),
            ]
        )
        == 1
    )
    assert "pass overwrite=True (--overwrite on the command line)" in capsys.readouterr().err
    assert out.read_text() == "mine"


def test_summary_reports_a_broken_profile_in_one_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "site.toml"
    path.write_text(
        '[site]\nid = "x"\ntimezone = "Mars/Olympus"\n[[zones]]\nid = "a"\nmeasure = "crowd"\n'
    )
    assert main(["summary", str(path), "--purpose", "crowd_safety"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("crowdcast: error: Invalid site profile: 2 problems.")
    assert "`site.timezone` must be an IANA time zone" in err
    assert "a counts source must be declared" not in err


def test_summary_without_counts_sources_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "site.toml"
    path.write_text('[site]\nid = "x"\ntimezone = "UTC"\ncountry = "NL"\n[[zones]]\nid = "a"\n')
    assert main(["summary", str(path), "--purpose", "crowd_safety"]) == 1
    assert "a counts source must be declared in [[sources]]. Got none." in capsys.readouterr().err


def test_make_sample_refuses_to_overwrite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "site.toml").write_text("keep me")
    assert main(["make-sample", str(tmp_path)]) == 1
    assert (tmp_path / "site.toml").read_text() == "keep me"
    assert "overwrite" in capsys.readouterr().err


def test_make_sample_reports_an_invalid_seed_in_one_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "city"
    assert main(["make-sample", str(out), "--seed", "-1"]) == 1
    err = capsys.readouterr().err
    assert err == (
        "crowdcast: error: Invalid make_city arguments: 1 problem.\n"
        "- `seed` must be a non-negative integer. Got -1.\n"
    )
    assert not out.exists()


def test_usage_errors_exit_with_code_2() -> None:
    with pytest.raises(SystemExit) as info:
        main(["no-such-command"])
    assert info.value.code == 2


def test_forecast_and_summary_require_a_purpose(capsys: pytest.CaptureFixture[str]) -> None:
    from crowdcast import sample_path

    with pytest.raises(SystemExit) as info:
        main(["summary", str(sample_path() / "site.toml")])
    assert info.value.code == 2
    assert "the following arguments are required: --purpose" in capsys.readouterr().err


# ----------------------------------------------------------------------------- plan


def _plan_args(planned: Any, out: Path, *more: str) -> list[str]:
    from crowdcast import sample_path

    return [
        "plan",
        str(sample_path() / "site.toml"),
        "--purpose",
        "event_planning",
        "--event",
        planned.match["event_id"],
        "--as-of",
        planned.as_of.tz_convert("Europe/Amsterdam").strftime("%Y-%m-%d %H:%M"),
        "--out",
        str(out),
        *more,
    ]


def test_plan_help_documents_every_flag(capsys: pytest.CaptureFixture[str]) -> None:
    from crowdcast.cli import _parser

    with pytest.raises(SystemExit) as info:
        main(["plan", "--help"])
    assert info.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    sub = next(a for a in _parser()._actions if a.dest == "command").choices["plan"]  # type: ignore[union-attr]
    flags = [a for a in sub._actions if a.option_strings and a.dest != "help"]
    assert len(flags) == 14
    for action in flags:
        assert action.help and " ".join(action.help.split()) in text, action.option_strings
        assert all(opt in text for opt in action.option_strings)
    for flag in ("--event", "--from", "--to", "--attendance", "--rain", "--cancel",
                 "--add-event", "--model", "--out", "--allow-stale"):  # fmt: skip
        assert flag in text
    assert "examples:" in text


def test_plan_writes_the_report_and_csv_and_prints_the_alerts(
    planned: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "match.html"
    args = _plan_args(planned, out, "--model", str(planned.model_path), "--attendance", "40000")
    assert main(args) == 0
    captured = capsys.readouterr()
    assert f"Model loaded from {planned.model_path}" in captured.out
    for line in planned.run.alerts:  # the same plan as the library's
        assert f"  {line}" in captured.out
    assert f"Report: {out}" in captured.out and f"Table:  {out.with_suffix('.csv')}" in captured.out
    assert "crowdcast: warning: " in captured.err and "above every football event" in captured.err
    pd.testing.assert_frame_equal(
        pd.read_csv(out.with_suffix(".csv")), pd.read_csv(planned.run.table_path)
    )
    # never over a file without --overwrite
    assert main(args) == 1
    assert "--overwrite on the command line" in capsys.readouterr().err
    assert main([*args, "--overwrite"]) == 0


def test_plan_fits_and_saves_a_model_when_the_file_is_absent(
    planned: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = tmp_path / "new.ccm"
    assert main(_plan_args(planned, tmp_path / "a.html", "--model", str(model))) == 0
    assert "Model fitted in " in capsys.readouterr().out and model.exists()
    assert main(_plan_args(planned, tmp_path / "b.html", "--model", str(model))) == 0
    assert f"Model loaded from {model}" in capsys.readouterr().out


def test_plan_usage_errors_exit_with_code_2(
    planned: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from crowdcast import sample_path

    site = str(sample_path() / "site.toml")
    for args in (
        ["plan", site, "--purpose", "event_planning"],  # no window
        ["plan", site, "--purpose", "event_planning", "--from", "2024-12-14 12:00",
         "--to", "2024-12-14 20:00", "--attendance", "5000"],  # whose attendance?
        _plan_args(planned, tmp_path / "c.html", "--add-event", "Kermis", "market_square"),
    ):  # fmt: skip
        with pytest.raises(SystemExit) as info:
            main(args)
        assert info.value.code == 2
    err = capsys.readouterr().err
    assert "give --event ID, or --from and --to" in err
    assert "--attendance 5000: give --event, or the event as ID=N" in err
    assert "--add-event takes NAME ZONE START END [ATTENDANCE [CATEGORY]], got 2" in err


def test_plan_stale_counts_exit_1_with_the_hint(
    planned: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = _plan_args(planned, tmp_path / "d.html", "--model", str(planned.model_path))
    old = (planned.match["start"] - pd.Timedelta("46D")).strftime("%Y-%m-%d %H:%M")
    args[args.index("--as-of") + 1] = old
    assert main(args) == 1
    err = capsys.readouterr().err
    assert err.startswith("crowdcast: error: Stale counts: 1 problem.")
    assert "--allow-stale" in err and not (tmp_path / "d.html").exists()
