"""The three baselines against hand-computed references on tiny synthetic series."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import crowdcast as cc
from crowdcast import City
from crowdcast.exceptions import ParameterError
from crowdcast.models import BaseForecaster, ProfileRatio, SeasonalNaive, WeekdayHourMean
from crowdcast.profiles import SiteProfile, Zone
from crowdcast.schemas import make_rows

AMS = "Europe/Amsterdam"


def _hours(start: str, end: str) -> pd.DatetimeIndex:
    """Hourly UTC timestamps from start up to (not including) end."""
    return pd.date_range(start, end, freq="h", tz="UTC", inclusive="left")


def _counts(ts: pd.DatetimeIndex, values: np.ndarray | float, zone: str = "a") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "zone": pd.Series([zone] * len(ts), dtype="str"),
            "timestamp": ts,
            "count": np.broadcast_to(np.asarray(values, dtype=float), (len(ts),)).copy(),
        }
    )


def _site(tz: str = AMS, zones: tuple[str, ...] = ("a",)) -> SiteProfile:
    return SiteProfile(
        id="test",
        name="Test",
        timezone=tz,
        country="NL",
        subdivision=None,
        zones=tuple(Zone(id=z, name=z) for z in zones),
    )


def _local_pattern(ts: pd.DatetimeIndex, tz: str = AMS) -> np.ndarray:
    """A value that depends only on the local weekday and hour."""
    local = ts.tz_convert(tz)
    return np.asarray(10.0 * local.hour + local.day_of_week + 5.0)


def _q(out: pd.DataFrame) -> np.ndarray:
    return out.filter(regex=r"^q").to_numpy()


# ----------------------------------------------------------------------------- SeasonalNaive


def _weekly(ts: pd.DatetimeIndex) -> np.ndarray:
    """Hour of the week + 1 (UTC): a perfectly weekly series."""
    return np.asarray(ts.day_of_week * 24 + ts.hour + 1.0)


def test_seasonal_naive_forecasts_the_value_one_week_before_each_target() -> None:
    ts = _hours("2024-01-01", "2024-01-22")
    model = SeasonalNaive(horizon=24).fit(_counts(ts, _weekly(ts)))
    assert np.all(model.error_quantiles_ == 0)  # a weekly series: no in-sample error
    # new counts: the last week before the origin is 1000 higher
    last_week = ts >= pd.Timestamp("2024-01-15", tz="UTC")
    new = _counts(ts, _weekly(ts) + 1000.0 * last_week)
    origin = pd.Timestamp("2024-01-22 05:00", tz="UTC")
    out = model.predict(new, origin=origin)
    targets = pd.DatetimeIndex(out["timestamp"])
    expected = _weekly(targets) + 1000.0
    for col in ("q0.1", "q0.5", "q0.9"):
        np.testing.assert_allclose(out[col], expected)


def test_seasonal_naive_falls_back_to_two_seasons_ago_across_a_gap() -> None:
    ts = _hours("2024-01-01", "2024-01-22")
    model = SeasonalNaive(horizon=24, quantiles=(0.5,)).fit(_counts(ts, _weekly(ts)))
    week = ((ts - ts[0]) // pd.Timedelta("7D")).to_numpy()  # 0, 1, 2
    values = _weekly(ts) + 1000.0 * week
    gap = (ts >= pd.Timestamp("2024-01-15 06:00", tz="UTC")) & (
        ts < pd.Timestamp("2024-01-15 10:00", tz="UTC")
    )
    values[gap] = np.nan
    new = _counts(ts, values)
    new = new[~((new["timestamp"] >= "2024-01-15 08:00") & (new["timestamp"] < "2024-01-15 10:00"))]
    out = model.predict(new, origin=pd.Timestamp("2024-01-22 00:00", tz="UTC"), horizon=12)
    got = out["q0.5"].to_numpy()
    hour = np.arange(12)
    # 06:00-09:00 are missing a week ago: the value two weeks ago (1000 lower) is used
    expected = hour + 1.0 + np.where((hour >= 6) & (hour < 10), 1000.0, 2000.0)
    np.testing.assert_allclose(got, expected)


def test_seasonal_naive_takes_the_same_local_hour_a_week_earlier_across_dst() -> None:
    ts = _hours("2024-03-18", "2024-04-06")  # DST starts 2024-03-31
    counts = _counts(ts, _local_pattern(ts))
    origin = pd.Timestamp("2024-04-02 22:00", tz="UTC")  # midnight local, CEST
    train = counts[counts["timestamp"] < origin]
    local = SeasonalNaive(horizon=24, quantiles=(0.5,)).fit(train, site=_site())
    out = local.predict(origin=origin)
    np.testing.assert_allclose(out["q0.5"], _local_pattern(pd.DatetimeIndex(out["timestamp"])))
    # in UTC a week back is one local hour off across the switch
    utc = SeasonalNaive(horizon=24, quantiles=(0.5,)).fit(train).predict(origin=origin)
    assert not np.allclose(utc["q0.5"], out["q0.5"])


def test_seasonal_naive_rejects_a_season_that_is_not_a_multiple_of_the_interval() -> None:
    ts = _hours("2024-01-01", "2024-01-03")
    with pytest.raises(ParameterError) as err:
        SeasonalNaive(season="90min").fit(_counts(ts, 1.0))
    assert str(err.value) == (
        "Invalid SeasonalNaive parameters: 1 problem.\n"
        "- `season` must be a positive multiple of the counting interval (0 days 01:00:00). "
        "Got '90min'.\n"
        "    hint: e.g. '7D' (same time last week) or '1D'"
    )


# ----------------------------------------------------------------------------- ProfileRatio


def _nine_weeks(observed: tuple[float, float, float], sunday_evening: float) -> pd.DataFrame:
    """Nine weeks from Monday 2024-01-01 (UTC); week w starts 2024-01-01 + 7w days.

    - Mondays 09/10/11 h in weeks 1..8 have the values below; week 0 has 10,000
      (nine weeks before the origin: outside the profile);
    - Sunday 20-23 h and Monday 00 h are ``sunday_evening`` in every week, except
      the last Sunday 21-23 h (right before the origin): ``observed``;
    - everything else is 30.
    """
    ts = _hours("2024-01-01", "2024-03-04")
    values = np.full(len(ts), 30.0)
    week = np.asarray((ts - ts[0]) // pd.Timedelta("7D"))
    day, hour = np.asarray(ts.day_of_week), np.asarray(ts.hour)
    monday = {
        9: [50, 60, 55, 65, 45, 70, 40, 52],
        10: [100, 120, 80, 110, 90, 130, 70, 105],
        11: [200, 210, 190, 205, 195, 220, 180, 199],
    }
    for h, by_week in monday.items():
        for w, v in enumerate(by_week, start=1):
            values[(day == 0) & (hour == h) & (week == w)] = v
        values[(day == 0) & (hour == h) & (week == 0)] = 10_000
    values[((day == 6) & (hour >= 20)) | ((day == 0) & (hour == 0))] = sunday_evening
    for h, v in zip((21, 22, 23), observed, strict=True):
        values[(week == 8) & (day == 6) & (hour == h)] = v
    return _counts(ts, values)


def _flat_profile_ratio() -> ProfileRatio:
    """Fitted on a flat series: every in-sample error, hence every quantile offset, is 0."""
    model = ProfileRatio(horizon=12)
    model.fit(_counts(_hours("2024-01-01", "2024-03-04"), 100.0))
    assert np.all(model.error_quantiles_ == 0)
    return model


# Profile at Monday 10:00, from the 8 Mondays before the origin (week 0 excluded):
#   09 h: sorted 40 45 50 52 | 55 60 65 70        -> median (52 + 55) / 2   = 53.5
#   10 h: sorted 70 80 90 100 | 105 110 120 130   -> median (100 + 105) / 2 = 102.5
#   11 h: sorted 180 190 195 199 | 200 205 210 220 -> median (199 + 200) / 2 = 199.5
#   smoothed: 0.25 * 53.5 + 0.5 * 102.5 + 0.25 * 199.5 = 114.5
# Profile at Monday 09:00: 0.25 * 30 + 0.5 * 53.5 + 0.25 * 102.5 = 59.875
# Ratio: last Sunday 21-23 h observed / their (smoothed) profile of 40 each.
PROFILE_10H, PROFILE_09H = 114.5, 59.875


@pytest.mark.parametrize(
    ("observed", "sunday_evening", "ratio"),
    [
        ((60.0, 50.0, 70.0), 40.0, 180 / 120),  # 1.5
        ((600.0, 600.0, 600.0), 40.0, 4.0),  # 15, capped at 4
        ((0.0, 0.0, 0.0), 40.0, 0.0),  # nobody there: 0
        ((60.0, 50.0, 70.0), 0.0, 1.0),  # profile sum 0: ratio 1
        ((np.nan, np.nan, np.nan), 40.0, 1.0),  # nothing observed: ratio 1
        ((np.nan, 20.0, np.nan), 40.0, 0.5),  # only the known hour counts
    ],
)
def test_profile_ratio_matches_a_hand_computed_forecast(
    observed: tuple[float, float, float], sunday_evening: float, ratio: float
) -> None:
    model = _flat_profile_ratio()
    origin = pd.Timestamp("2024-03-04 00:00", tz="UTC")  # Monday, right after the data
    out = model.predict(_nine_weeks(observed, sunday_evening), origin=origin)
    at = out.set_index("horizon")
    for col in ("q0.1", "q0.5", "q0.9"):
        assert at.loc[11, col] == pytest.approx(PROFILE_10H * ratio)  # Monday 10:00
        assert at.loc[10, col] == pytest.approx(PROFILE_09H * ratio)  # Monday 09:00


@pytest.mark.parametrize(
    ("start", "end", "at"),
    [
        # spring: eight weeks before Thursday 2024-04-04 00:00 CEST span the switch
        ("2024-02-05", "2024-04-06", "2024-04-03 22:00"),
        # autumn: the forecast day itself is the switch, 02:00-03:00 local twice
        ("2024-08-26", "2024-10-29", "2024-10-26 22:00"),
    ],
)
def test_profile_ratio_uses_local_wall_clock_time_across_dst(start: str, end: str, at: str) -> None:
    ts = _hours(start, end)
    counts = _counts(ts, _local_pattern(ts))
    origin = pd.Timestamp(at, tz="UTC")
    train = counts[counts["timestamp"] < origin]
    params = {"horizon": 24, "quantiles": (0.1, 0.5, 0.9), "smoothing": (1.0,)}
    local = ProfileRatio(**params).fit(train, site=_site())
    assert np.all(local.error_quantiles_ == 0)
    out = local.predict(origin=origin)
    expected = _local_pattern(pd.DatetimeIndex(out["timestamp"]))
    for col in ("q0.1", "q0.5", "q0.9"):
        np.testing.assert_allclose(out[col], expected)
    # the same model in UTC mixes up local hours from before the switch
    utc = ProfileRatio(**params).fit(train).predict(origin=origin)
    assert not np.allclose(utc["q0.5"], expected)


def test_profile_ratio_skips_the_nonexistent_local_hour_of_the_spring_switch() -> None:
    ts = _hours("2024-02-05", "2024-04-12")
    counts = _counts(ts, _local_pattern(ts))
    # origin: Sunday 2024-04-07 00:00 CEST; 02:00 local did not exist on 2024-03-31
    origin = pd.Timestamp("2024-04-06 22:00", tz="UTC")
    model = ProfileRatio(horizon=4, quantiles=(0.5,), smoothing=(1.0,))
    model.fit(counts[counts["timestamp"] < origin], site=_site())
    out = model.predict(origin=origin)
    np.testing.assert_allclose(out["q0.5"], _local_pattern(pd.DatetimeIndex(out["timestamp"])))


@pytest.mark.parametrize(
    ("params", "what"),
    [
        ({"smoothing": (0.5, 0.5)}, "`smoothing`"),
        ({"smoothing": (0.25, -0.5, 0.25)}, "`smoothing`"),
        ({"weeks": 0}, "`weeks`"),
        ({"window": 1.5}, "`window`"),
        ({"cap": 0}, "`cap`"),
    ],
)
def test_profile_ratio_rejects_invalid_parameters_at_fit(params: dict, what: str) -> None:
    model = ProfileRatio(**params)  # constructing never validates
    with pytest.raises(ParameterError, match=what):
        model.fit(_counts(_hours("2024-01-01", "2024-01-03"), 1.0))


# ----------------------------------------------------------------------------- WeekdayHourMean


def test_weekday_hour_mean_matches_hand_computed_means_and_quantiles() -> None:
    ts = _hours("2024-01-01", "2024-01-15")
    week2 = ts >= pd.Timestamp("2024-01-08", tz="UTC")
    model = WeekdayHourMean(horizon=3).fit(_counts(ts, np.where(week2, 30.0, 10.0)))
    np.testing.assert_allclose(model.means_, 20.0)  # (10 + 30) / 2 everywhere
    out = model.predict()
    # log1p errors: half log(11/21), half log(31/21). Their 10 % quantile is the first,
    # the 90 % the second, the median the mean of both, i.e. sqrt(11 * 31) / 21.
    np.testing.assert_allclose(out["q0.1"], 10.0)
    np.testing.assert_allclose(out["q0.9"], 30.0)
    np.testing.assert_allclose(out["q0.5"], math.sqrt(11 * 31) - 1)


def test_weekday_hour_mean_uses_the_local_weekday_and_hour() -> None:
    ts = _hours("2024-03-18", "2024-04-08")  # across the spring switch
    model = WeekdayHourMean(horizon=48, quantiles=(0.5,)).fit(
        _counts(ts, _local_pattern(ts)), site=_site()
    )
    out = model.predict(origin=pd.Timestamp("2024-03-30 12:00", tz="UTC"))
    np.testing.assert_allclose(out["q0.5"], _local_pattern(pd.DatetimeIndex(out["timestamp"])))


def test_weekday_hour_mean_fills_an_unseen_weekday_from_the_same_time_on_other_days() -> None:
    ts = _hours("2024-01-01", "2024-01-07")  # Monday to Saturday: no Sunday
    model = WeekdayHourMean(horizon=24, quantiles=(0.5,)).fit(
        _counts(ts, np.asarray(ts.hour + 1.0))
    )
    out = model.predict(origin=pd.Timestamp("2024-01-14", tz="UTC"))  # a Sunday
    np.testing.assert_allclose(out["q0.5"], np.arange(1.0, 25.0))


# ----------------------------------------------------------------------------- all baselines

BASELINES = [SeasonalNaive, ProfileRatio, WeekdayHourMean]


@pytest.fixture(scope="module")
def small_city() -> cc.sample.SimulatedCity:
    return cc.make_city(zones=["station_square"], start="2024-01-01", end="2024-03-10")


@pytest.mark.parametrize("cls", BASELINES)
def test_quantile_columns_follow_the_sorted_quantiles(
    cls: type[BaseForecaster], small_city: cc.sample.SimulatedCity
) -> None:
    model = cls(horizon=6, quantiles=(0.9, 0.1, 0.5, 0.25))
    out = model.fit(small_city.counts, site=small_city.site).predict()
    assert list(out.columns) == [
        "zone", "origin", "timestamp", "horizon", "q0.1", "q0.25", "q0.5", "q0.9",
    ]  # fmt: skip
    assert (np.diff(_q(out), axis=1) >= 0).all() and (_q(out) >= 0).all()


@pytest.mark.parametrize("cls", BASELINES)
def test_intervals_cover_about_80_percent_of_stationary_counts(cls: type[BaseForecaster]) -> None:
    rng = np.random.default_rng(7)
    ts = _hours("2024-01-01", "2024-05-27")  # 21 weeks: 16 to fit, 5 to check
    level = np.log1p(50 + 400 * np.sin(np.pi * ts.hour / 24) ** 2)  # a daily rhythm
    counts = _counts(ts, np.round(np.expm1(level + rng.normal(0, 0.25, len(ts)))))
    cut = pd.Timestamp("2024-04-22", tz="UTC")
    model = cls().fit(counts[counts["timestamp"] < cut])
    origins = pd.date_range(cut, periods=30, freq="25h")
    rows = make_rows(["a"], origins, np.arange(1, 25), "1h")
    out = model.predict_rows(rows, City(counts=counts, freq=pd.Timedelta("1h")))
    actual = counts.set_index("timestamp")["count"].reindex(out["timestamp"]).to_numpy()
    inside = np.mean((actual >= out["q0.1"]) & (actual <= out["q0.9"]))
    assert 0.72 <= inside <= 0.88, inside


@pytest.mark.parametrize("cls", BASELINES)
def test_a_zone_without_any_history_before_the_origin_gets_nan_or_its_training_mean(
    cls: type[BaseForecaster],
) -> None:
    ts = _hours("2024-01-01", "2024-01-15")
    counts = pd.concat([_counts(ts, 10.0, "a"), _counts(ts, np.nan, "b")], ignore_index=True)
    counts.loc[counts.index[-1], "count"] = 5.0  # zone b: one observation, at the end
    model = cls(horizon=3, quantiles=(0.5,)).fit(counts)
    out = model.predict(origin=pd.Timestamp("2024-01-10", tz="UTC"))
    assert np.isfinite(out.loc[out["zone"] == "a", "q0.5"]).all()
    b = out.loc[out["zone"] == "b", "q0.5"].to_numpy()
    if cls is WeekdayHourMean:  # learned from the training data, origin-free
        np.testing.assert_allclose(b, 5.0)
    else:
        assert np.isnan(b).all()
