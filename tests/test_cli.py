"""The CLI is a thin shell: it prints what the library returns and turns errors into exit codes."""

from __future__ import annotations

from pathlib import Path

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
