"""Signals viewed as counts per venue: closed hours are 0, unreported hours stay missing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from _risk_site import make_site
from crowdcast import City, ProfileRatio
from crowdcast.exceptions import DataValidationError, ParameterError
from crowdcast.models import signal_city


def _counts(start: str, hours: int) -> pd.DataFrame:
    t = pd.date_range(start, periods=hours, freq="h", tz="UTC")
    return pd.DataFrame({"zone": "street", "timestamp": t, "count": 10.0})


def _signals(
    rows: list[tuple[str, str, float]], signal: str = "alcohol_litres_sold"
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "timestamp": [pd.Timestamp(t, tz="UTC") for t, _, _ in rows],
            "location": [loc for _, loc, _ in rows],
            "signal": signal,
            "value": [v for _, _, v in rows],
            "unit": "L",
        }
    )


SALES = [
    ("2024-06-07 18:00", "bar_a", 12.0),
    ("2024-06-07 19:00", "bar_a", 20.0),
    # 20:00 no row for bar_a: closed, 0 L
    ("2024-06-07 21:00", "bar_a", 15.0),
    ("2024-06-07 22:00", "bar_a", np.nan),  # reported, value unknown: missing
    ("2024-06-07 20:00", "bar_b", 5.0),  # bar_b's first row
    ("2024-06-07 23:00", "bar_b", 4.0),  # the table's last hour
]


def _city(tmp_path: Path, signals: pd.DataFrame, weights: str = "") -> City:
    site = make_site(tmp_path, weights)
    events = pd.DataFrame(
        {
            "event_id": ["e1", "e2"],
            "name": ["Street party", "Market"],
            "zone": ["street", "square"],  # bar_c on the square sells nothing here
            "start": [pd.Timestamp("2024-06-07 18:00", tz="UTC")] * 2,
            "end": [pd.Timestamp("2024-06-07 23:00", tz="UTC")] * 2,
            "expected_attendance": [500.0, 300.0],
            "category": ["nightlife", "market"],
            "status": ["confirmed"] * 2,
        }
    )
    return City.from_tables(
        _counts("2024-06-07 12:00", 12), events=events, signals=signals, site=site
    )


def _series(city: City, venue: str) -> dict[str, float]:
    c = city.counts[city.counts["zone"] == venue]
    return {f"{t:%H:%M}": v for t, v in zip(c["timestamp"], c["count"], strict=True)}


def test_closed_hours_are_zero_and_unreported_hours_stay_missing(tmp_path: Path) -> None:
    sales = signal_city(_city(tmp_path, _signals(SALES)))
    a, b = _series(sales, "bar_a"), _series(sales, "bar_b")
    assert list(a) == ["18:00", "19:00", "20:00", "21:00", "22:00", "23:00"]
    assert [a["18:00"], a["19:00"], a["20:00"], a["21:00"]] == [12.0, 20.0, 0.0, 15.0]
    assert np.isnan(a["22:00"])  # a NaN value is not observed, never zero-filled
    assert a["23:00"] == 0.0  # no row up to the table's last hour: closed
    assert b == {"20:00": 5.0, "21:00": 0.0, "22:00": 0.0, "23:00": 4.0}  # nothing before its first
    assert sales.freq == pd.Timedelta("1h")


def test_the_view_has_one_zone_per_venue_and_nothing_confidential(tmp_path: Path) -> None:
    weights = '\n[[weights]]\nindicator = "alcohol_aggression"\ntarget = "site"\nvalue = 1.6\n'
    city = _city(tmp_path, _signals(SALES), weights)
    sales = signal_city(city)
    assert sales.zones == ("bar_a", "bar_b")
    bar_a = sales.site.zone("bar_a")
    assert (bar_a.measure, bar_a.tags, bar_a.neighbours) == (
        "passages",
        ("horeca", "licensed"),
        ("bar_b",),
    )
    assert sales.site.weights == () and sales.site.venues == ()  # the model keeps no weight
    assert (sales.site.timezone, sales.site.id) == (city.site.timezone, city.site.id)
    # an event of the street is an event of each of its venues with a signal; none elsewhere
    assert sorted(sales.events["zone"]) == ["bar_a", "bar_b"]
    assert set(sales.events["event_id"]) == {"e1"}


def test_any_forecaster_forecasts_the_view_with_closed_hours_at_zero(tmp_path: Path) -> None:
    # four weeks of a bar open 18:00-02:00 UTC; the forecast of the next night
    t = pd.date_range("2024-05-06", periods=28 * 24, freq="h", tz="UTC")
    open_ = (t.hour >= 18) | (t.hour < 2)
    rows = [(str(s), "bar_a", 10.0 + s.day % 5) for s, o in zip(t, open_, strict=True) if o]
    city = City.from_tables(
        _counts("2024-05-06", 28 * 24), signals=_signals(rows), site=make_site(tmp_path)
    )
    sales = signal_city(city)
    fc = ProfileRatio(horizon=24, weeks=3, smoothing=(1.0,)).fit(sales).predict()
    hours = fc["timestamp"].dt.hour
    closed = fc[(hours >= 2) & (hours < 18)]
    assert (closed["q0.5"] == 0.0).all()
    assert (fc.loc[~fc.index.isin(closed.index), "q0.5"] > 5.0).all()


def test_a_city_without_the_signal_is_refused_with_what_it_has(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    bare = City.from_tables(_counts("2024-06-07 12:00", 12), site=site)
    with pytest.raises(ParameterError, match="a City with signals"):
        signal_city(bare)
    two = pd.concat([_signals(SALES), _signals(SALES[:2], signal="tickets_scanned")])
    city = _city(tmp_path, two)
    with pytest.raises(ParameterError) as exc:
        signal_city(city)
    assert "one of the City's signals (alcohol_litres_sold, tickets_scanned)" in str(exc.value)
    assert signal_city(city, "tickets_scanned").zones == ("bar_a",)


def test_a_signal_in_two_units_is_refused(tmp_path: Path) -> None:
    mixed = _signals(SALES)
    mixed.loc[1, "unit"] = "cl"
    with pytest.raises(DataValidationError, match="one unit for all rows"):
        signal_city(_city(tmp_path, mixed))
