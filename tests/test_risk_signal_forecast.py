"""Aggression risk hours ahead: levels and probabilities from a forecast of the signals."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from _risk_site import make_site
from crowdcast import City, ProfileRatio, make_city
from crowdcast.evaluation import Fold, backtest
from crowdcast.exceptions import (
    ConfigError,
    DataQualityWarning,
    DataValidationError,
    ParameterError,
)
from crowdcast.models import signal_city
from crowdcast.profiles import DEFAULT_LIBRARY_PATH, IndicatorWeight, load_indicator_library
from crowdcast.risk import assess, indicator_lift, quantile_at

LIB = load_indicator_library()
ORIGIN = pd.Timestamp("2024-06-07 16:00", tz="UTC")  # 18:00 in Amsterdam: before the night
TAUS = np.array([0.1, 0.5, 0.9])


def signal_forecast(
    venues: dict[str, list[tuple[float, float, float]]], origin: pd.Timestamp = ORIGIN
) -> pd.DataFrame:
    """A forecast per venue as forecasters fitted on ``signal_city`` give it."""
    parts = []
    for venue, rows in venues.items():
        parts.append(
            pd.DataFrame(
                {
                    "zone": venue,
                    "origin": origin,
                    "timestamp": [origin + pd.Timedelta(hours=h) for h in range(len(rows))],
                    "horizon": range(1, len(rows) + 1),
                    "q0.1": [r[0] for r in rows],
                    "q0.5": [r[1] for r in rows],
                    "q0.9": [r[2] for r in rows],
                }
            )
        )
    fc = pd.concat(parts, ignore_index=True)
    fc.attrs["provenance"] = {"freq": "0 days 01:00:00"}
    return fc


def street(risk_table: pd.DataFrame) -> pd.DataFrame:
    return risk_table[risk_table["zone"] == "street"].reset_index(drop=True)


def test_aggression_levels_and_alerts_for_the_coming_night_from_a_signal_forecast(
    tmp_path: Path,
) -> None:
    site = make_site(tmp_path)
    night = [(30.0, 40.0, 50.0)] * 14  # 18:00 to 08:00 local
    night[5] = (120.0, 150.0, 180.0)  # 23:00 local: a big hour at bar_a
    fc = signal_forecast(
        {
            "bar_a": night,
            "bar_b": [(15.0, 20.0, 25.0)] * 14,
            "bar_c": [(0.0, 8.0, 10.0)] * 14,
            "shop": [(90.0, 99.0, 120.0)] * 14,  # not licensed: out of scope
        }
    )
    risk = assess(fc, site, hazard="aggression")
    s = street(risk.table)
    assert (s["timestamp"] >= ORIGIN).all() and len(s) == 14
    # P50 of the exposure: the mean of the venues' medians (30 L); lift 1.01 ** 30: yellow
    assert s.loc[0, "exposure_alcohol_aggression"] == pytest.approx(30.0)
    assert s.loc[0, "lift"] == pytest.approx(1.01**30)
    assert s.loc[0, "level"] == "yellow"
    assert s.loc[5, "lift"] == pytest.approx(1.01**85) and s.loc[5, "level"] == "red"
    # 06:00 local and later is outside the indicator's window: no lift, no chance of a level
    after = s[s["timestamp"] >= pd.Timestamp("2024-06-08 04:00", tz="UTC")]
    assert len(after) == 2 and (after["lift"] == 1.0).all() and (after["p_yellow"] == 0).all()
    square = risk.table[risk.table["zone"] == "square"].iloc[0]
    assert square["exposure_alcohol_aggression"] == pytest.approx(8.0)  # bar_c only
    assert set(risk.table["zone"]) == {"street", "square"}  # zones with venues in scope
    # the alert (the site's orange) fires at the big hour, five hours ahead
    alert = risk.alerts[risk.alerts["zone"] == "street"].iloc[0]
    assert (alert["first_alert"], alert["level"]) == (ORIGIN + pd.Timedelta(hours=5), "orange")
    assert alert["lead_time"] == pd.Timedelta(hours=5)
    assert risk.schemes["street"] == (
        "alcohol_aggression",
        ("green", "yellow", "orange", "red"),
        "orange",
    )
    summary = risk.summary().set_index("zone")
    assert summary.loc["street", "highest_level_p50"] == "red"
    assert summary.attrs["quantity"] == "lift"


def test_probabilities_widen_with_the_uncertainty_of_the_signal(tmp_path: Path) -> None:
    site = make_site(tmp_path)

    def risk(spread: float) -> pd.Series:
        fc = signal_forecast(
            {
                "bar_a": [(40.0 - spread, 40.0, 40.0 + 2 * spread)] * 3,
                "bar_b": [(20.0 - spread / 2, 20.0, 20.0 + spread)] * 3,
            }
        )
        with pytest.warns(DataQualityWarning, match="bar_c"):  # square's bar: no forecast
            return street(assess(fc, site, hazard="aggression").table).iloc[0]

    narrow, wide = risk(2.0), risk(30.0)
    assert narrow["lift"] == wide["lift"] == pytest.approx(1.01**30)  # same median
    assert narrow["level"] == wide["level"] == "yellow"
    assert wide["lift_q0.1"] < narrow["lift_q0.1"] and wide["lift_q0.9"] > narrow["lift_q0.9"]
    # the venues move together: the 90 % quantile of the exposure is the mean of theirs
    assert wide["lift_q0.9"] == pytest.approx(1.01 ** ((100.0 + 50.0) / 2))
    assert wide["p_orange"] > narrow["p_orange"] and wide["p_red"] > narrow["p_red"]
    assert wide["p_yellow"] < narrow["p_yellow"]  # the median is above yellow's threshold
    assert wide["lift_mean"] > narrow["lift_mean"] > narrow["lift"]  # Jensen: exp is convex


def test_level_probabilities_match_sampling_the_venues_together(tmp_path: Path) -> None:
    """Brute force: one uniform draw per hour for every venue (comonotonic)."""
    site = make_site(tmp_path)
    a, b = np.array([[10.0, 35.0, 80.0]]), np.array([[0.0, 15.0, 60.0]])
    fc = signal_forecast({"bar_a": [tuple(a[0])], "bar_b": [tuple(b[0])], "bar_c": [(1, 2, 3)]})
    row = street(assess(fc, site, hazard="aggression").table).iloc[0]
    u = (np.arange(100_000) + 0.5) / 100_000
    x = np.array([(quantile_at(a, TAUS, v)[0] + quantile_at(b, TAUS, v)[0]) / 2 for v in u])
    lift = 1.01**x
    for level, threshold in (("yellow", 1.25), ("orange", 1.5), ("red", 2.0)):
        assert row[f"p_{level}"] == pytest.approx((lift >= threshold).mean(), abs=2e-3)
    assert row["lift_mean"] == pytest.approx(lift.mean(), rel=1e-3)


def test_known_signals_give_the_lift_of_indicator_lift(tmp_path: Path) -> None:
    weights = (
        '\n[[weights]]\nindicator = "alcohol_aggression"\ntarget = "venue:bar_a"\nvalue = 2.0\n'
        '\n[[weights]]\nindicator = "alcohol_aggression"\ntarget = "site"\nvalue = 1.5\n'
    )
    site = make_site(tmp_path, weights)
    litres = {"bar_a": [30.0, 0.0, 12.5], "bar_b": [10.0, 22.0, 0.0], "bar_c": [8.0, 4.0, 1.0]}
    fc = signal_forecast({v: [(x, x, x) for x in xs] for v, xs in litres.items()})
    signals = pd.DataFrame(
        {
            "timestamp": fc["timestamp"],
            "location": fc["zone"],
            "signal": "alcohol_litres_sold",
            "value": fc["q0.5"],
            "unit": "L",
        }
    )
    known = indicator_lift(signals, site, LIB).sort_values(["zone", "timestamp"])
    known = known[known["zone"] != "lane"]  # no venue in scope: always 1, not assessed
    risk = assess(fc, site, hazard="aggression").table.sort_values(["zone", "timestamp"])
    assert risk["lift"].to_numpy() == pytest.approx(known["lift"].to_numpy())
    assert risk["lift_mean"].to_numpy() == pytest.approx(known["lift"].to_numpy())
    assert risk["exposure_alcohol_aggression"].to_numpy() == pytest.approx(
        known["exposure_alcohol_aggression"].to_numpy()
    )


def test_what_is_not_an_hourly_forecast_of_the_signal_is_refused(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    fc = signal_forecast({"bar_a": [(1.0, 2.0, 3.0)] * 2, "bar_x": [(1.0, 2.0, 3.0)] * 2})
    with pytest.raises(DataValidationError) as exc:
        assess(fc, site, hazard="aggression")
    assert "Got 'bar_x'" in str(exc.value) and "rows 2, 3" in str(exc.value)
    quarter = signal_forecast({"bar_a": [(1.0, 2.0, 3.0)] * 2, "bar_b": [(1.0, 2.0, 3.0)] * 2})
    quarter.attrs["provenance"] = {"freq": "0 days 00:15:00"}
    with pytest.raises(ParameterError, match="an hourly forecast of the signal"):
        assess(quarter, site, hazard="aggression")


def test_a_repeated_venue_row_is_refused_and_an_unknown_value_stays_unknown(
    tmp_path: Path,
) -> None:
    site = make_site(tmp_path)
    fc = signal_forecast({v: [(1.0, 2.0, 3.0)] * 2 for v in ("bar_a", "bar_b", "bar_c")})
    twice = pd.concat([fc, fc.iloc[[0]]], ignore_index=True)
    twice.attrs = fc.attrs
    with pytest.raises(DataValidationError, match="one row per zone, origin, horizon"):
        assess(twice, site, hazard="aggression")  # it would count bar_a's litres twice
    fc.loc[0, ["q0.1", "q0.5", "q0.9"]] = np.nan  # bar_a's first hour: no forecast
    s = street(assess(fc, site, hazard="aggression").table)
    assert s.loc[0, ["lift", "lift_mean", "p_yellow"]].isna().all() and pd.isna(s.loc[0, "level"])
    assert s.loc[1, "lift"] == pytest.approx(1.01**2.0)


def test_a_signal_column_selects_the_indicator_s_signal(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    fc = signal_forecast({v: [(10.0, 20.0, 30.0)] for v in ("bar_a", "bar_b", "bar_c")})
    other = fc.assign(**{"q0.1": 500.0, "q0.5": 600.0, "q0.9": 700.0})
    both = pd.concat(
        [fc.assign(signal="alcohol_litres_sold"), other.assign(signal="tickets_scanned")],
        ignore_index=True,
    )
    both.attrs = fc.attrs
    row = street(assess(both, site, hazard="aggression").table).iloc[0]
    assert row["lift"] == pytest.approx(1.01**20)


def test_an_indicator_hazard_without_levels_says_what_the_library_needs(tmp_path: Path) -> None:
    text = DEFAULT_LIBRARY_PATH.read_text(encoding="utf-8")
    at = text.index('form = "relative_lift"')
    lines = ("thresholds = [1.25, 1.5, 2.0]\n", 'levels = ["green", "yellow", "orange", "red"]\n')
    path = tmp_path / "library.toml"
    path.write_text(text[:at] + text[at:].replace(lines[0], "").replace(lines[1], ""))
    library = load_indicator_library(path)
    assert not library["alcohol_aggression"].thresholds
    fc = signal_forecast({v: [(1.0, 2.0, 3.0)] * 2 for v in ("bar_a", "bar_b", "bar_c")})
    with pytest.raises(ConfigError, match="`thresholds` on the lift and their `levels`"):
        assess(fc, make_site(tmp_path), hazard="aggression", library=library)


def test_backtest_forecast_signal_risk_is_close_to_the_actual_signal_risk() -> None:
    """A small simulated city: 28 nights forecast at 18:00 local against the known sales."""
    sim = make_city(zones=["nightlife_street"], start="2024-02-01", end="2024-05-31")
    truth = sim.truth["site_weight"]
    site = dataclasses.replace(  # the true site weight
        sim.site, weights=(IndicatorWeight("alcohol_aggression", "site", truth),)
    )
    city = City.from_tables(
        sim.counts, weather=sim.weather, signals=sim.signals, site=sim.site, purpose="crowd_safety"
    )
    fold = Fold(horizon=12, n_windows=28, origin_time="18:00")
    bt = backtest(ProfileRatio(horizon=12, weeks=4), signal_city(city), fold=fold)
    fc = bt.table[["zone", "origin", "timestamp", "horizon", "q0.1", "q0.5", "q0.9"]]
    fc.attrs["provenance"] = {"freq": "0 days 01:00:00"}
    risk = assess(fc, site, hazard="aggression").table
    assert set(risk["zone"]) == {"nightlife_street"} and len(risk) == 28 * 12
    actual_all = indicator_lift(city.signals, site, LIB)
    actual = actual_all.set_index("timestamp").loc[risk["timestamp"], "lift"].to_numpy()
    error = np.abs(np.log(risk["lift_mean"].to_numpy() / actual))
    # no-signal reference: the mean lift of the same local weekday and hour before the nights
    past = actual_all[actual_all["timestamp"] < bt.origins[0]]
    typical = past.groupby(_slot(past["timestamp"], site.timezone))["lift"].mean()
    reference = typical.loc[_slot(risk["timestamp"], site.timezone)].to_numpy()
    assert error.mean() < 0.1
    assert error.mean() < 0.85 * np.abs(np.log(reference / actual)).mean()
    assert np.corrcoef(np.log(risk["lift"]), np.log(actual))[0, 1] > 0.85
    inside = (actual >= risk["lift_q0.1"]) & (actual <= risk["lift_q0.9"])
    assert 0.6 <= inside[actual > 1].mean() <= 0.97  # the 80 % interval of the lift


def _slot(ts: pd.Series, tz: str) -> np.ndarray:
    local = pd.DatetimeIndex(ts).tz_convert(tz)
    return np.asarray(local.dayofweek * 24 + local.hour)
