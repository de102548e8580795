"""Plots of forecasts and backtests: the Axes hold exactly the numbers they claim to show."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
from collections.abc import Iterator

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

import crowdcast as cc
from crowdcast.exceptions import ParameterError, SchemaError
from crowdcast.report import (
    calibration_points,
    plot_calibration,
    plot_error_by_horizon,
    plot_forecast,
    plot_skill_by_zone,
)
from crowdcast.risk import assess, max_density

T0 = pd.Timestamp("2024-06-01 08:00", tz="UTC")  # 10:00 in Amsterdam (CEST)
NAN = float("nan")


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    plt.close("all")


def table() -> pd.DataFrame:
    """Two models, two zones, two origins (a day apart), three hours ahead."""
    rows = []
    for fold, origin in enumerate([T0, T0 + pd.Timedelta(days=1)]):
        for zone, base in (("a", 100.0), ("b", 10.0)):
            for h in (1, 2, 3):
                actual = base + 10.0 * h + fold
                if zone == "a" and fold == 1 and h == 2:
                    actual = NAN  # not observed
                for model, err in (("naive", 4.0 * h), ("gbm", 2.0 * h)):
                    p50 = actual + err if actual == actual else base + 20.0
                    rows.append(
                        {
                            "model": model,
                            "fold": fold,
                            "origin": origin,
                            "zone": zone,
                            "timestamp": origin + pd.Timedelta(hours=h - 1),
                            "horizon": h,
                            "q0.1": p50 - 5.0,
                            "q0.5": p50,
                            "q0.9": p50 + 5.0,
                            "actual": actual,
                            "event": False,
                            "scale": 2.0,
                        }
                    )
    return pd.DataFrame(rows)


def lines_by_label(ax: Axes) -> dict[str, Line2D]:
    return {str(line.get_label()): line for line in ax.get_lines()}


def xs(line: Line2D) -> np.ndarray:
    return np.asarray(line.get_xdata())


def ys(line: Line2D) -> np.ndarray:
    return np.asarray(line.get_ydata(), dtype="float64")


def xys(line: Line2D) -> np.ndarray:
    return np.asarray(line.get_xydata(), dtype="float64")


def bars(ax: Axes) -> list[Rectangle]:
    return [p for p in ax.patches if isinstance(p, Rectangle)]


def threshold_lines(ax: Axes) -> dict[str, float]:
    out = {}
    for line in ax.get_lines():
        gid = line.get_gid()
        if gid and gid.startswith("threshold:"):
            y = ys(line)
            assert y[0] == y[1]  # horizontal
            out[gid.split(":", 1)[1]] = float(y[0])
    return out


def band_edges(ax: Axes, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    (band,) = ax.collections
    v = np.asarray(band.get_paths()[0].vertices)
    at = [np.isclose(v[:, 0], xi, rtol=0.0, atol=1e-6) for xi in x]  # x in days since 1970
    lo = np.array([v[m, 1].min() for m in at])
    hi = np.array([v[m, 1].max() for m in at])
    return lo, hi


# ----------------------------------------------------------------------------- plot_forecast


def test_forecast_plot_of_a_backtest_shows_p50_band_actual_and_levels() -> None:
    bt = table()
    origin = T0 + pd.Timedelta(days=1)
    ax = plot_forecast(
        bt,
        zone="a",
        model="gbm",
        origin=origin,
        timezone="Europe/Amsterdam",
        thresholds={"busy": 150.0, "full": 400.0},
    )
    rows = bt[(bt["model"] == "gbm") & (bt["zone"] == "a") & (bt["origin"] == origin)]
    lines = lines_by_label(ax)
    np.testing.assert_array_equal(ys(lines["P50"]), rows["q0.5"].to_numpy())
    np.testing.assert_array_equal(ys(lines["actual"]), rows["actual"].to_numpy())
    assert np.isnan(ys(lines["actual"])[1])  # the unobserved hour is a gap, not 0
    # x: the right instants, shown in local time
    x = mdates.date2num(xs(lines["P50"]))
    utc = mdates.date2num(pd.DatetimeIndex(rows["timestamp"]).to_pydatetime())
    np.testing.assert_allclose(x, utc)
    assert ax.xaxis.get_major_formatter().format_data_short(x[0]).endswith("10:00:00")
    lo, hi = band_edges(ax, x)
    np.testing.assert_array_equal(lo, rows["q0.1"].to_numpy())
    np.testing.assert_array_equal(hi, rows["q0.9"].to_numpy())
    assert ax.collections[0].get_label() == "P10–P90"
    assert threshold_lines(ax) == {"busy": 150.0, "full": 400.0}
    assert ax.get_xlabel() == "time (Europe/Amsterdam)"
    assert ax.get_ylabel() == "count (persons)"
    assert ax.get_title() == "a · gbm · origin 2024-06-02 10:00"
    legend = ax.get_legend()
    assert legend is not None
    assert [t.get_text() for t in legend.get_texts()] == ["P10–P90", "actual", "P50"]


def test_forecast_plot_defaults_to_the_latest_origin_and_draws_on_a_given_ax() -> None:
    bt = table()
    fig, given = plt.subplots()
    ax = plot_forecast(bt[bt["model"] == "naive"], zone="b", ax=given)
    assert ax is given and len(fig.axes) == 1
    latest = bt[
        (bt["model"] == "naive") & (bt["zone"] == "b") & (bt["origin"] == bt["origin"].max())
    ]
    np.testing.assert_array_equal(ys(lines_by_label(ax)["P50"]), latest["q0.5"].to_numpy())
    assert ax.get_title().endswith("origin 2024-06-02 08:00")  # UTC axis by default


def sample_forecast() -> tuple[cc.SiteProfile, pd.DataFrame]:
    """The sample site and a three-hour forecast of an occupancy and a passage zone."""
    site = cc.load_site_profile(cc.sample_path() / "site.toml")
    t = pd.Timestamp("2024-12-14 15:00", tz="UTC")
    stamps = [t + pd.Timedelta(hours=h) for h in range(3)]
    fc = pd.DataFrame(
        {
            "zone": ["stadium_plaza"] * 3 + ["shopping_street"] * 3,
            "origin": t,
            "timestamp": stamps * 2,
            "horizon": [1, 2, 3] * 2,
            "q0.05": 500.0,
            "q0.5": [2000.0, 30000.0, 2000.0, 100.0, 9000.0, 0.0],
            "q0.95": 40000.0,
        }
    )
    return site, fc


def test_forecast_plot_of_a_forecast_with_counts_and_risk_table_thresholds() -> None:
    site, fc = sample_forecast()
    stamps = fc["timestamp"].iloc[:3].tolist()
    counts = pd.DataFrame(
        {"zone": "stadium_plaza", "timestamp": [stamps[0], stamps[2]], "count": [1500.0, 2500.0]}
    )
    risk = assess(fc, site)
    ax = plot_forecast(fc, zone="stadium_plaza", actual=counts, thresholds=risk)
    np.testing.assert_array_equal(ys(lines_by_label(ax)["actual"]), [1500.0, np.nan, 2500.0])
    assert ax.collections[0].get_label() == "P5–P95"  # the outermost pair
    # crowding_density bands 0.5 / 2 / 4 persons/m² × 9000 m²
    assert threshold_lines(ax) == pytest.approx(
        {"yellow": 4500.0, "orange": 18000.0, "red": 36000.0}
    )
    # a passage zone: Fruin flow LOS (persons/m/min) × 12 m × 60 min
    street = threshold_lines(plot_forecast(risk, zone="shopping_street", thresholds=risk))
    assert street == pytest.approx(
        {lv: x * 720.0 for lv, x in zip("BCDEF", [23, 33, 49, 66, 82], strict=True)}
    )

    distancing = assess(fc[fc["zone"] == "stadium_plaza"], site, hazard="distancing")
    ax = plot_forecast(fc, zone="stadium_plaza", thresholds=distancing, site=site)
    assert threshold_lines(ax) == pytest.approx({"exceeded": max_density(1.5) * 9000.0})
    # a RiskTable without the settings it was computed with needs the site's distance rule
    bare = dataclasses.replace(distancing, settings=None)
    with pytest.raises(ParameterError, match="`site` must be the site profile"):
        plot_forecast(fc, zone="stadium_plaza", thresholds=bare)
    ax = plot_forecast(fc, zone="stadium_plaza", thresholds=bare, site=site)
    assert threshold_lines(ax) == pytest.approx({"exceeded": max_density(1.5) * 9000.0})


def test_distancing_thresholds_are_those_the_risk_table_was_computed_with() -> None:
    # A table assessed with a 2 m rule drew the site's 1.5 m line (site.risk.distance_rule_m).
    site, fc = sample_forecast()
    two_metres = site.risk.replace(distance_rule_m=2.0)
    risk = assess(fc[fc["zone"] == "stadium_plaza"], site, hazard="distancing", settings=two_metres)
    expected = {"exceeded": max_density(2.0) * 9000.0}
    ax = plot_forecast(fc, zone="stadium_plaza", thresholds=risk, site=site)
    assert threshold_lines(ax) == pytest.approx(expected)
    # the table's settings are enough: no site needed
    ax = plot_forecast(fc, zone="stadium_plaza", thresholds=risk)
    assert threshold_lines(ax) == pytest.approx(expected)


def test_forecast_plot_names_what_is_wrong() -> None:
    bt = table()
    with pytest.raises(ParameterError, match=r"`zone` must be one of a, b\. Got 'c'"):
        plot_forecast(bt, zone="c", model="gbm")
    with pytest.raises(ParameterError, match="`model` must be one of naive, gbm"):
        plot_forecast(bt, zone="a")
    with pytest.raises(ParameterError, match="`origin` must be one of the 2 origins"):
        plot_forecast(bt, zone="a", model="gbm", origin="2030-01-01 00:00+00:00")
    with pytest.raises(ParameterError, match="`origin` must be a timezone-aware timestamp"):
        plot_forecast(bt, zone="a", model="gbm", origin="2024-06-01 08:00")
    with pytest.raises(
        ParameterError,
        match=re.escape(
            "`timezone` must be an IANA time zone name like 'Europe/Amsterdam'. Got 'Mars/Olympus'."
        ),
    ):
        plot_forecast(bt, zone="a", model="gbm", timezone="Mars/Olympus")
    with pytest.raises(SchemaError, match="no column 'zone'"):
        plot_forecast(bt.drop(columns="zone"), zone="a")


# ----------------------------------------------------------------------------- backtest plots


def test_error_by_horizon_draws_one_line_per_model_at_the_hand_computed_mae() -> None:
    ax = plot_error_by_horizon(table())
    lines = lines_by_label(ax)
    assert list(lines) == ["naive", "gbm"]
    # every observed row of naive is off by 4 h, of gbm by 2 h
    np.testing.assert_array_equal(xs(lines["naive"]), [1, 2, 3])
    np.testing.assert_allclose(ys(lines["naive"]), [4.0, 8.0, 12.0])
    np.testing.assert_allclose(ys(lines["gbm"]), [2.0, 4.0, 6.0])
    assert ax.get_xlabel() == "horizon (intervals ahead)"
    assert ax.get_ylabel() == "MAE (persons)"

    ax = plot_error_by_horizon(table(), metric="mase")
    np.testing.assert_allclose(ys(lines_by_label(ax)["gbm"]), [1.0, 2.0, 3.0])
    ax = plot_error_by_horizon(table(), metric="coverage")
    lines = lines_by_label(ax)
    # the ±5 interval holds the actual when the error is at most 5
    np.testing.assert_allclose(ys(lines["naive"]), [1.0, 0.0, 0.0])
    np.testing.assert_allclose(ys(lines["gbm"]), [1.0, 1.0, 0.0])
    assert ys(lines["nominal 0.8"])[0] == pytest.approx(0.8)
    with pytest.raises(ParameterError, match="`metric` must be one of mae"):
        plot_error_by_horizon(table(), metric="accuracy")


def test_skill_by_zone_has_one_bar_per_zone_and_model_at_the_skill() -> None:
    bt = table()
    bt.loc[(bt["model"] == "gbm") & (bt["zone"] == "b"), "q0.5"] += 100.0  # gbm worse in b
    ax = plot_skill_by_zone(bt, baseline="naive")
    assert len(bars(ax)) == len(ax.patches) == 2  # 2 zones × 1 model besides the baseline
    # zone a: MAE gbm (2+4+6+2+6)/5 = 4, naive 8 → 0.5
    # zone b: gbm |2h + 100| = 104 on average, naive 8 → 1 - 13
    widths = [float(p.get_width()) for p in bars(ax)]
    assert widths == pytest.approx([0.5, -12.0])
    centers = [p.get_y() + p.get_height() / 2 for p in bars(ax)]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b"]
    assert centers == pytest.approx(list(ax.get_yticks()))
    assert ax.yaxis_inverted()  # first zone on top
    assert ax.get_xlabel() == "skill vs naive: 1 − MAE / MAE of naive"

    three = pd.concat([bt, bt[bt["model"] == "gbm"].assign(model="sarimax")], ignore_index=True)
    assert len(plot_skill_by_zone(three, baseline="naive", metric="rmse").patches) == 4
    with pytest.raises(ParameterError, match="`baseline` of skill"):
        plot_skill_by_zone(bt, baseline="prophet")
    with pytest.raises(ParameterError, match="a model besides the baseline"):
        plot_skill_by_zone(bt[bt["model"] == "naive"], baseline="naive")
    with pytest.raises(ParameterError, match="`metric` must be one of"):
        plot_skill_by_zone(bt, baseline="naive", metric="bias")


def test_calibration_points_on_a_hand_made_example() -> None:
    actual = np.arange(1.0, 11.0)  # 1..10
    base = {
        "fold": 0,
        "origin": T0,
        "zone": "a",
        "timestamp": [T0 + pd.Timedelta(hours=h) for h in range(10)],
        "horizon": range(1, 11),
        "actual": actual,
        "event": False,
        "scale": 1.0,
    }
    wide = pd.DataFrame(
        {
            **base,
            "model": "wide",
            "q0.1": 2.5,  # 2 of 10 at or below: 0.2
            "q0.25": 3.0,  # 3 of 10: 0.3
            "q0.5": 5.0,  # 5 of 10: 0.5
            "q0.75": 7.0,  # 7 of 10: 0.7
            "q0.9": 9.0,  # 9 of 10: 0.9
        }
    )
    point = pd.DataFrame({**base, "model": "point", "q0.5": 4.0})  # no interval
    bt = pd.concat([wide, point], ignore_index=True)
    bt.loc[len(wide) + 9, "actual"] = NAN  # point's last row not observed: 4 of 9 at or below

    pts = calibration_points(bt)
    assert pts.to_numpy().tolist() == [
        ["wide", "interval", 0.5, 0.5, 10],  # 3 <= y <= 7: 3..7
        ["wide", "interval", 0.8, 0.7, 10],  # 2.5 <= y <= 9: 3..9
        ["wide", "quantile", 0.1, 0.2, 10],
        ["wide", "quantile", 0.25, 0.3, 10],
        ["wide", "quantile", 0.5, 0.5, 10],
        ["wide", "quantile", 0.75, 0.7, 10],
        ["wide", "quantile", 0.9, 0.9, 10],
        ["point", "quantile", 0.5, pytest.approx(4 / 9), 9],
    ]
    ax = plot_calibration(bt)
    lines = lines_by_label(ax)
    np.testing.assert_allclose(
        xys(lines["wide: quantiles"]),
        [[0.1, 0.2], [0.25, 0.3], [0.5, 0.5], [0.75, 0.7], [0.9, 0.9]],
    )
    np.testing.assert_allclose(xys(lines["wide: central intervals"]), [[0.5, 0.5], [0.8, 0.7]])
    np.testing.assert_allclose(xys(lines["point: quantiles"]), [[0.5, 4 / 9]])
    assert len(xs(lines["point: central intervals"])) == 0
    np.testing.assert_array_equal(xys(lines["ideal"]), [[0, 0], [1, 1]])
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("nominal probability", "empirical frequency")
    assert ax.get_xlim() == (0.0, 1.0) and ax.get_ylim() == (0.0, 1.0)


# ----------------------------------------------------------------------------- side effects


def test_plots_leave_global_state_alone() -> None:
    before = dict(matplotlib.rcParams)
    backend = matplotlib.get_backend()
    figures = plt.get_fignums()
    bt = table()
    plot_forecast(bt, zone="a", model="gbm", timezone="Europe/Amsterdam")
    plot_error_by_horizon(bt)
    plot_skill_by_zone(bt, baseline="naive")
    plot_calibration(bt)
    assert dict(matplotlib.rcParams) == before
    assert matplotlib.get_backend() == backend
    assert len(plt.get_fignums()) == len(figures) + 4  # one new figure each, none reused


def test_matplotlib_is_optional(monkeypatch: pytest.MonkeyPatch) -> None:
    code = (
        "import sys, crowdcast.report; "
        "assert 'matplotlib' not in sys.modules, 'matplotlib imported eagerly'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"pip install 'crowdcast\[plot\]'"):
        plot_error_by_horizon(table())
