"""The peak table: per zone the peak of the median forecast, next to last week."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from crowdcast.exceptions import ParameterError
from crowdcast.report import peak_table

T = pd.date_range("2024-06-08 10:00", periods=3, freq="h", tz="UTC")
FORECAST = pd.DataFrame(
    {
        "zone": "a",
        "origin": T[0],
        "timestamp": T,
        "horizon": [1, 2, 3],
        "q0.5": [5.0, 9.0, 7.0],
        "q0.9": [8.0, 12.0, 9.0],
    }
)
COUNTS = pd.DataFrame({"zone": "a", "timestamp": T - pd.Timedelta("7D"), "count": 6.0})


def test_the_peak_is_shown_in_local_time() -> None:
    table = peak_table(FORECAST, COUNTS, "Europe/Amsterdam")
    assert table["peak"].tolist() == [pd.Timestamp("2024-06-08 13:00", tz="Europe/Amsterdam")]
    assert table["change_pct"].tolist() == [50.0]


def test_an_unknown_time_zone_is_named_by_the_one_time_zone_rule() -> None:
    # It raised zoneinfo's ZoneInfoNotFoundError from deep inside pandas.
    expected = (
        "`timezone` must be an IANA time zone name like 'Europe/Amsterdam'. Got 'Mars/Olympus'."
    )
    with pytest.raises(ParameterError, match=re.escape(expected)):
        peak_table(FORECAST, COUNTS, "Mars/Olympus")


def test_with_a_risk_table_the_peak_has_its_level_and_chance_of_the_alert_level() -> None:
    import crowdcast as cc

    site = cc.load_site_profile(cc.sample_path() / "site.toml")
    t = pd.date_range("2024-12-14 16:00", periods=3, freq="h", tz="UTC")
    fc = pd.DataFrame(
        {
            "zone": ["stadium_plaza"] * 3 + ["museum_quarter"] * 3,
            "origin": t[0],
            "timestamp": list(t) * 2,
            "horizon": [1, 2, 3] * 2,
            "q0.1": [9000.0, 20000.0, 100.0, 10.0, 20.0, 10.0],
            "q0.5": [18000.0, 30000.0, 200.0, 20.0, 40.0, 30.0],
            "q0.9": [27000.0, 40000.0, 300.0, 30.0, 60.0, 50.0],
        }
    )
    risk = cc.assess(fc[fc["zone"] == "stadium_plaza"], site)  # the museum without levels
    table = peak_table(fc, COUNTS, site.timezone, risk=risk).set_index("zone")
    peak = risk.table.iloc[1]
    assert table.loc["stadium_plaza", "level"] == peak["level"] == "orange"
    assert table.loc["stadium_plaza", "p_alert"] == round(peak["p_orange"], 2)
    assert pd.isna(table.loc["museum_quarter", "level"])
    assert pd.isna(table.loc["museum_quarter", "p_alert"])
