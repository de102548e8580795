"""The CLI is a thin shell: it prints what the library returns and turns errors into exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest

from crowdcast.cli import main


def test_demo_prints_the_sample_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "Site 'havenstad'" in out
    assert "Counts: 7 zones" in out
    assert "every 1 h" in out
    assert "Events:" in out and "cancelled" in out
    assert "Weather:" in out and "issued forecasts" in out
    assert "stadium_plaza" in out
    assert "Longest gaps" in out


def test_summary_reports_a_broken_profile_in_one_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "site.toml"
    path.write_text(
        '[site]\nid = "x"\ntimezone = "Mars/Olympus"\n[[zones]]\nid = "a"\nmeasure = "crowd"\n'
    )
    assert main(["summary", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("crowdcast: error: Invalid site profile: 2 problems.")
    assert "`site.timezone` must be an IANA time zone" in err
    assert "a counts source must be declared" not in err


def test_summary_without_counts_sources_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "site.toml"
    path.write_text('[site]\nid = "x"\ntimezone = "UTC"\ncountry = "NL"\n[[zones]]\nid = "a"\n')
    assert main(["summary", str(path)]) == 1
    assert "a counts source must be declared in [[sources]]. Got none." in capsys.readouterr().err


def test_make_sample_refuses_to_overwrite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "site.toml").write_text("keep me")
    assert main(["make-sample", str(tmp_path)]) == 1
    assert (tmp_path / "site.toml").read_text() == "keep me"
    assert "overwrite" in capsys.readouterr().err


def test_usage_errors_exit_with_code_2() -> None:
    with pytest.raises(SystemExit) as info:
        main(["no-such-command"])
    assert info.value.code == 2
