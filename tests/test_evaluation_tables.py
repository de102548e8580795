"""The checks of backtest tables and of the KPI arguments: every problem, in one error."""

from __future__ import annotations

import pandas as pd
import pytest

from _backtest_tables import NAN, backtest_table, two_models
from crowdcast.evaluation import kpis, peak_days, peak_kpis
from crowdcast.exceptions import DataValidationError, ParameterError, SchemaError


def test_kpis_nan_point_forecast_on_observed_row_is_an_error() -> None:
    t = backtest_table([10.0, 20.0, NAN], [12.0, NAN, NAN])
    with pytest.raises(DataValidationError, match=r"(?s)q0\.5.*NaN on 1 observed row.*\['m'\]"):
        kpis(t)
    # a model that produces q0.9 must produce it wherever the actual is observed
    t = backtest_table([10.0, 20.0], [12.0, 20.0], q09=[15.0, NAN])
    with pytest.raises(DataValidationError, match=r"(?s)q0\.9.*pinball"):
        kpis(t)


def test_kpis_validates_its_input() -> None:
    t = two_models().drop(columns=["scale", "event"])
    with pytest.raises(SchemaError, match=r"(?s)missing \['event', 'scale'\].*backtest\(\.\.\.\)"):
        kpis(t)
    naive = two_models().assign(timestamp=lambda d: d["timestamp"].dt.tz_localize(None))
    with pytest.raises(SchemaError, match="timezone-aware"):
        kpis(naive)
    with pytest.raises(DataValidationError, match="duplicate"):
        kpis(pd.concat([two_models(), two_models()]))
    with pytest.raises(ParameterError, match="by"):
        kpis(two_models(), by="day")
    with pytest.raises(ParameterError, match="interval"):
        kpis(two_models(), interval=(0.9, 0.1))
    with pytest.raises(ParameterError, match="timezone"):
        kpis(two_models(), timezone="Mars/Olympus")


def test_peak_nan_forecast_on_observed_row_is_an_error() -> None:
    t = backtest_table([1.0, 2.0], [1.0, NAN])
    with pytest.raises(DataValidationError, match=r"q0\.5"):
        peak_kpis(t, timezone="UTC")
    with pytest.raises(SchemaError, match="missing"):
        peak_days(t.drop(columns="actual"), timezone="UTC")


def test_kpis_arguments_are_reported_together_with_the_one_timezone_rule() -> None:
    with pytest.raises(ParameterError) as caught:
        kpis(two_models(), by="day", timezone="Mars/Olympus", interval=(0.9, 0.1))
    message = str(caught.value)
    assert message.startswith("Invalid arguments of kpis(): 3 problems.")
    assert "- `by` must be None or some of ['zone', 'horizon', 'hour', 'event'" in message
    assert (
        "- `timezone` must be an IANA time zone name like 'Europe/Amsterdam'. "
        "Got 'Mars/Olympus'." in message
    )
    assert "- `interval` must be two quantile levels" in message
    with pytest.raises(ParameterError, match=r"`timezone` must be an IANA time zone name"):
        peak_days(two_models(), timezone="Mars/Olympus")


def test_kpis_reports_every_value_problem_of_the_table_at_once() -> None:
    t = two_models()
    t.loc[0, "scale"] = -1.0  # a scale is an MAE: never negative
    t.loc[1, ["q0.1", "q0.9"]] = [30.0, 10.0]  # crossing quantiles of model "good"
    with pytest.raises(DataValidationError) as caught:
        kpis(t)
    message = str(caught.value)
    assert message.startswith("Cannot compute kpis(): 2 problems.")
    assert "`scale` must be a non-negative MAE, or NaN when not computable" in message
    assert "`q0.1` must be at most `q0.9`. Got above it on 1 row(s) (crossing quantiles)" in message
    assert "rows 1" in message
