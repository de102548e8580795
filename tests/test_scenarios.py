"""What-if scenarios: overrides of the known-future inputs, base vs scenario vs difference."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from _forecasters import LastValue
from crowdcast.exceptions import ParameterError
from crowdcast.scenarios import AddEvent, CancelEvent, SetAttendance, SetWeather, what_if

T0 = pd.Timestamp("2024-06-01 10:00", tz="UTC")


@pytest.fixture
def model() -> LastValue:
    ts = pd.date_range(T0 - pd.Timedelta("48h"), T0, freq="h", inclusive="left")
    counts = pd.DataFrame(
        {
            "zone": np.repeat(["park", "square"], len(ts)),
            "timestamp": np.tile(ts, 2),
            "count": 100.0,
        }
    )
    events = pd.DataFrame(
        {
            "event_id": ["match-1"],
            "name": ["Match"],
            "zone": ["square"],
            "start": [T0 + pd.Timedelta("2h")],
            "end": [T0 + pd.Timedelta("4h")],
            "expected_attendance": [30_000.0],
            "category": ["football"],
            "status": ["confirmed"],
        }
    )
    weather = pd.DataFrame(
        {
            "timestamp": pd.date_range(T0, periods=6, freq="h"),
            "temperature_c": 20.0,
            "precipitation_mm": 0.0,
            "wind_speed_ms": 3.0,
            "issued_at": T0 - pd.Timedelta("5h"),
        }
    )
    return LastValue(horizon=6).fit(counts, events=events, weather=weather)


def test_higher_attendance_raises_only_the_event_hours(model: LastValue) -> None:
    out = what_if(model, [SetAttendance("match-1", 45_000)])
    square = out[out["zone"] == "square"]
    assert square["diff_q0.5"].tolist() == [0.0, 0.0, 15_000.0, 15_000.0, 0.0, 0.0]
    assert (out.loc[out["zone"] == "park", "diff_q0.5"] == 0).all()
    assert {"base_q0.1", "scenario_q0.9", "diff_q0.9"} <= set(out.columns)


def test_cancelling_removes_the_event_effect(model: LastValue) -> None:
    out = what_if(model, [CancelEvent("match-1")])
    assert out["diff_q0.5"].min() == -30_000.0
    assert out["scenario_q0.5"].max() == 100.0


def test_an_extra_event_appears_in_its_zone(model: LastValue) -> None:
    out = what_if(
        model, [AddEvent("Concert", "park", T0, T0 + pd.Timedelta("1h"), attendance=5_000)]
    )
    park = out[out["zone"] == "park"]
    assert park["diff_q0.5"].tolist() == [5_000.0, 0, 0, 0, 0, 0]


def test_set_weather_writes_a_forecast_issued_at_the_origin(model: LastValue) -> None:
    _, weather = SetWeather(
        T0 + pd.Timedelta("2h"), T0 + pd.Timedelta("4h"), precipitation_mm=6.0
    ).apply(model.events_, model.weather_, T0)
    new = weather[weather["issued_at"] == T0]
    assert new["timestamp"].tolist() == [T0 + pd.Timedelta("2h"), T0 + pd.Timedelta("3h")]
    assert new["precipitation_mm"].tolist() == [6.0, 6.0]
    assert new["temperature_c"].tolist() == [20.0, 20.0]  # untouched values carried over


def test_unknown_event_ids_and_empty_changes_are_named(model: LastValue) -> None:
    with pytest.raises(
        ParameterError, match=r"`event_id` must be an event of the calendar. Got 'x'"
    ):
        what_if(model, [CancelEvent("x")])
    with pytest.raises(ParameterError, match=r"`changes` must be at least one change"):
        what_if(model, [])
    with pytest.raises(ParameterError, match="`start` must be a timezone-aware timestamp"):
        what_if(model, [AddEvent("c", "park", "2024-06-01 10:00", "2024-06-01 11:00")])
