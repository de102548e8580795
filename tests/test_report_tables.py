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
