"""Feature transformers: leakage-free at every origin, right on the calendar, named well."""

from __future__ import annotations

import datetime as dt
import math
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal
from sklearn.base import clone

import crowdcast as cc
from crowdcast import City
from crowdcast.exceptions import NotFittedError, ParameterError
from crowdcast.features import (
    CalendarFeatures,
    EventFeatures,
    FeatureTransformer,
    FeatureUnion,
    HorizonFeature,
    OriginLags,
    OriginRolling,
    SeasonalProfile,
    StaticFeatures,
    TargetLags,
    WeatherFeatures,
    default_features,
)
from crowdcast.profiles import ClosedDays, SiteProfile, Zone
from crowdcast.schemas import make_rows, validate_events

UTC = "UTC"
HOUR = pd.Timedelta("1h")
TZ = "Europe/Amsterdam"
WEATHER_VARIABLES = (
    "temperature_c",
    "precipitation_mm",
    "wind_speed_ms",
    "sunshine_h",
    "humidity_pct",
)


def _utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz=UTC)


@pytest.fixture(scope="module")
def small() -> City:
    """Three months of a two-zone simulated city, with issued weather forecasts."""
    city = cc.make_city(
        zones=["station_square", "stadium_plaza"], start="2024-01-01", end="2024-03-31"
    )
    weather = pd.concat([city.weather, city.weather_forecasts], ignore_index=True)
    return City(counts=city.counts, events=city.events, weather=weather, site=city.site, freq=HOUR)


def _everything(site: SiteProfile | None) -> FeatureUnion:
    """The default set with every rolling statistic, more lags and every weather variable."""
    more = {
        "target_lags": TargetLags(lags=(1, 5, 30, 48, 72, 168, 336)),
        "rolling": OriginRolling(windows=(3, 24, 168), stats=("mean", "std", "min", "max")),
        "weather": WeatherFeatures(variables=WEATHER_VARIABLES),
    }
    steps = default_features(site, horizon=48).steps
    return FeatureUnion([(name, more.get(name, step)) for name, step in steps])


@pytest.fixture(scope="module")
def fitted(small: City) -> FeatureUnion:
    origins = pd.date_range("2024-01-15", "2024-02-15", freq="D", tz=UTC)
    rows = make_rows(["station_square", "stadium_plaza"], origins, range(1, 49), HOUR)
    return _everything(small.site).fit(rows, small)


def _counts(values: np.ndarray, start: str = "2024-01-01", zone: str = "a") -> pd.DataFrame:
    ts = pd.date_range(start, periods=len(values), freq="h", tz=UTC)
    return pd.DataFrame({"zone": zone, "timestamp": ts, "count": np.asarray(values, float)})


# ----------------------------------------------------------------------------- no leakage


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    hour=st.integers(0, 91 * 24 - 1),
    horizons=st.lists(st.integers(1, 48), min_size=1, max_size=5, unique=True),
    share=st.sampled_from([0.05, 0.5, 1.0]),
    seed=st.integers(0, 2**32 - 1),
)
def test_nothing_at_or_after_the_origin_changes_a_feature_of_that_origin(
    small: City,
    fitted: FeatureUnion,
    hour: int,
    horizons: list[int],
    share: float,
    seed: int,
) -> None:
    rng = np.random.default_rng(seed)
    origin = _utc("2024-01-01") + hour * HOUR
    rows = make_rows(["station_square", "stadium_plaza"], [origin], horizons, HOUR)

    counts = small.counts.copy()
    later = (counts["timestamp"] >= origin).to_numpy() & (rng.random(len(counts)) < share)
    new = rng.integers(0, 50_000, later.sum()).astype(float)
    new[rng.random(later.sum()) < 0.3] = np.nan
    counts.loc[later, "count"] = new
    counts = counts[~(later & (rng.random(len(counts)) < 0.2))]  # and some rows never arrive

    assert small.weather is not None
    weather = small.weather.copy()
    observed_later = weather["issued_at"].isna() & (weather["timestamp"] >= origin)
    issued_later = weather["issued_at"] > origin
    for mask in (observed_later, issued_later):
        change = mask.to_numpy() & (rng.random(len(weather)) < share)
        for col in WEATHER_VARIABLES:
            weather.loc[change, col] = rng.uniform(0, 30, change.sum())
    # a fresh forecast issued a second after the origin for every target
    fresh = pd.DataFrame({"timestamp": rows["timestamp"].unique(), "station": "260"})
    fresh["issued_at"] = origin + pd.Timedelta("1s")
    fresh[list(WEATHER_VARIABLES[:3])] = rng.uniform(0, 30, (len(fresh), 3))
    weather = pd.concat([weather, fresh], ignore_index=True)
    changed = City(counts, small.events, weather, small.site, small.freq)

    assert_frame_equal(
        fitted.transform(rows, small), fitted.transform(rows, changed), check_exact=True
    )


def test_a_row_gets_the_same_features_alone_as_in_a_batch(
    small: City, fitted: FeatureUnion
) -> None:
    origins = pd.date_range("2024-02-20 05:00", periods=6, freq="17h", tz=UTC)
    rows = make_rows(["station_square", "stadium_plaza"], origins, range(1, 49), HOUR)
    batch = fitted.transform(rows, small)
    some = rows.sample(40, random_state=1)
    assert_frame_equal(fitted.transform(some, small), batch.loc[some.index], check_exact=True)


# ----------------------------------------------------------------------------- window oracle


@pytest.fixture(scope="module")
def series() -> pd.Series:
    """A random hourly series of 500 intervals with missing runs and single gaps."""
    rng = np.random.default_rng(7)
    values = rng.poisson(100, 500).astype(float)
    values[rng.random(500) < 0.1] = np.nan
    values[200:230] = np.nan
    return pd.Series(values)


def _oracle_frame(series: pd.Series) -> tuple[pd.DataFrame, City, pd.Series]:
    data = City(_counts(series.to_numpy()), freq=HOUR)
    origins = pd.date_range("2024-01-01", periods=520, freq="h", tz=UTC)
    rows = make_rows(["a"], origins[::3], range(1, 31), HOUR)
    # the series on a wide integer axis, NaN outside: positions may fall off both ends
    wide = series.reindex(range(-400, 1000))
    return rows, data, wide


def test_window_features_match_plain_pandas_shift_and_rolling(series: pd.Series) -> None:
    rows, data, s = _oracle_frame(series)
    o = ((rows["origin"] - _utc("2024-01-01")) / HOUR).astype(int).to_numpy()
    t = o + rows["horizon"].to_numpy() - 1
    got = FeatureUnion(
        [
            ("o", OriginLags(lags=(1, 2, 5))),
            ("t", TargetLags(lags=(3, 24, 30))),
            ("r", OriginRolling(windows=(4, 7, 24), stats=("mean", "std", "min", "max"))),
        ]
    ).fit_transform(rows, data)

    expected = {}
    for k in (1, 2, 5):
        expected[f"lag_origin_{k}"] = s.shift(k).loc[o].to_numpy()
    for k in (3, 24, 30):
        expected[f"lag_target_{k}"] = np.where(t - k < o, s.shift(k).loc[t].to_numpy(), np.nan)
    for w in (4, 7, 24):
        window = s.rolling(w, min_periods=math.ceil(w / 2))
        for stat in ("mean", "std", "min", "max"):
            expected[f"rolling_{stat}_{w}"] = getattr(window, stat)().shift(1).loc[o].to_numpy()
    for name, values in expected.items():
        np.testing.assert_allclose(got[name].to_numpy(), values, rtol=1e-9, atol=1e-9, err_msg=name)


def test_seasonal_profile_matches_plain_pandas_weekly_shifts(series: pd.Series) -> None:
    rows, data, s = _oracle_frame(series)
    o = ((rows["origin"] - _utc("2024-01-01")) / HOUR).astype(int).to_numpy()
    t = o + rows["horizon"].to_numpy() - 1
    got = SeasonalProfile(weeks=2, recent=3).fit_transform(rows, data)

    weekly = pd.DataFrame({k: s.shift(168 * k).loc[t].to_numpy() for k in (1, 2)})
    weekly = weekly.where(np.column_stack([t - 168 * k < o for k in (1, 2)]))
    np.testing.assert_allclose(got["profile_median_2w"], weekly.median(axis=1))
    np.testing.assert_allclose(got["profile_mean_2w"], weekly.mean(axis=1))

    typical = pd.concat([s.shift(168), s.shift(336)], axis=1).median(axis=1)
    live = pd.DataFrame({j: s.shift(j).loc[o].to_numpy() for j in (1, 2, 3)})
    prof = pd.DataFrame({j: typical.shift(j).loc[o].to_numpy() for j in (1, 2, 3)})
    both = live.notna() & prof.notna()
    num, den = live.where(both).sum(axis=1), prof.where(both).sum(axis=1)
    ratio = (num / den).where(den > 0, np.where(num > 0, np.inf, 1.0)).clip(0, 4)
    np.testing.assert_allclose(got["recent_ratio_3"], ratio.where(both.any(axis=1)))


def test_a_lag_that_lands_in_a_gap_is_nan_not_a_shifted_neighbour() -> None:
    counts = _counts(np.arange(400.0))
    counts = counts.drop(index=range(100, 106))  # six hours never delivered
    data = City(counts, freq=HOUR)
    origin = _utc("2024-01-01") + 106 * HOUR
    rows = make_rows(["a"], [origin], [1, 20, 24], HOUR)
    got = FeatureUnion(
        [
            ("o", OriginLags(lags=(1, 6, 7))),
            ("t", TargetLags(lags=(24, 25))),
            ("r", OriginRolling(windows=(4, 12))),
        ]
    ).fit_transform(rows, data)
    assert got["lag_origin_1"].isna().all() and got["lag_origin_6"].isna().all()
    assert (got["lag_origin_7"] == 99.0).all()
    # targets 106, 125, 129: 24 back is 82, 101 (gap), 105 (gap); 25 back 81, 100, 104
    assert got["lag_target_24"].tolist()[0] == 82.0 and got["lag_target_25"].tolist()[0] == 81.0
    assert got[["lag_target_24", "lag_target_25"]].iloc[1:].isna().all().all()
    assert got["rolling_mean_4"].isna().all()  # nothing observed in 102..105
    assert got["rolling_mean_12"].tolist() == [96.5] * 3  # 94..99 observed: half of 12


def test_rolling_needs_half_of_its_window_observed() -> None:
    values = np.full(48, np.nan)
    values[20:24] = [1.0, 2.0, 3.0, 4.0]
    data = City(_counts(values), freq=HOUR)
    rows = make_rows(["a"], [_utc("2024-01-01 00:00") + 24 * HOUR], [1], HOUR)
    got = OriginRolling(windows=(8, 9)).fit_transform(rows, data)
    assert got["rolling_mean_8"].tolist() == [2.5]  # 4 of 8 observed
    assert got["rolling_mean_9"].isna().all()  # 4 of 9


def test_recent_ratio_is_live_over_typical_clipped() -> None:
    week = np.tile(np.arange(1.0, 169.0), 3)
    week[-3:] *= 10  # the last three hours are ten times busier than usual
    data = City(_counts(np.concatenate([week, [1.0]])), freq=HOUR)
    origin = _utc("2024-01-01") + len(week) * HOUR
    rows = make_rows(["a"], [origin, origin - 3 * HOUR], [1], HOUR)
    got = SeasonalProfile(weeks=2).fit_transform(rows, data)
    assert got["recent_ratio_3"].tolist() == [4.0, 1.0]


# ----------------------------------------------------------------------------- calendar


def _calendar(rows: pd.DataFrame, **params: object) -> pd.DataFrame:
    cal = CalendarFeatures(**{"timezone": TZ, "country": "NL", **params})  # type: ignore[arg-type]
    return cal.fit_transform(rows, City(pd.DataFrame()))


def _hourly(start: str, periods: int) -> pd.DataFrame:
    return make_rows(["a"], [_utc(start)], range(1, periods + 1), HOUR)


def test_the_spring_dst_day_has_23_local_hours_without_2_am() -> None:
    got = _calendar(_hourly("2024-03-30 23:00", 23))  # local 31 March, 00:00 to 23:00
    assert got["hour"].tolist() == [0.0, 1.0, *map(float, range(3, 24))]
    assert (got["day_of_year"] == 91).all() and (got["weekday"] == 6).all()


def test_the_autumn_dst_day_has_25_local_hours_with_2_am_twice() -> None:
    got = _calendar(_hourly("2024-10-26 22:00", 25))  # local 27 October
    assert got["hour"].tolist() == [0.0, 1.0, 2.0, 2.0, *map(float, range(3, 24))]
    assert (got["day_of_year"] == 301).all() and (got["month"] == 10).all()


def test_sub_hourly_intervals_get_a_fractional_local_hour() -> None:
    rows = make_rows(["a"], [_utc("2024-06-01 11:00")], [1, 2, 3, 4], "15min")
    assert _calendar(rows)["hour"].tolist() == [13.0, 13.25, 13.5, 13.75]


def test_kings_day_and_the_bridge_day_after_ascension_are_recognised() -> None:
    days = ["2024-04-26", "2024-04-27", "2024-05-08", "2024-05-09", "2024-05-10", "2024-05-13"]
    starts = [pd.Timestamp(f"{d} 12:00", tz=TZ).tz_convert(UTC) for d in days]
    rows = make_rows(["a"], starts, [1], HOUR)
    got = _calendar(rows)
    assert got["is_holiday"].tolist() == [0, 1, 0, 1, 0, 0]
    assert got["is_bridge_day"].tolist() == [0, 0, 0, 0, 1, 0]
    assert got["is_weekend"].tolist() == [0, 1, 0, 0, 0, 0]
    assert got["days_to_holiday"].tolist() == [1, 0, 1, 0, 9, 6]  # Pentecost 19 May
    assert got["days_from_holiday"].tolist() == [25, 0, 11, 0, 1, 4]  # Easter Monday 1 April


def _local_noons(tz: str, *days: str) -> pd.DataFrame:
    starts = [pd.Timestamp(f"{d} 12:00", tz=tz).tz_convert(UTC) for d in days]
    return make_rows(["a"], starts, [1], HOUR)


def test_each_holiday_gets_its_own_code_on_its_own_date() -> None:
    melbourne = {"timezone": "Australia/Melbourne", "country": "AU", "subdivision": "VIC"}
    cal = CalendarFeatures(**melbourne)  # type: ignore[arg-type]
    season = pd.date_range("2015-12-01", "2016-01-31").strftime("%Y-%m-%d")
    cal.fit(_local_noons("Australia/Melbourne", *season), City(pd.DataFrame()))
    assert cal.holiday_names_ == ("Australia Day", "Boxing Day", "Christmas Day", "New Year's Day")
    # 2016: Christmas on a Sunday, the day off observed on Tuesday 27 December
    days = ["2015-12-25", "2016-12-24", "2016-12-25", "2016-12-26", "2016-12-27", "2016-12-28"]
    got = cal.transform(_local_noons("Australia/Melbourne", *days), City(pd.DataFrame()))
    assert got["holiday"].tolist() == [3, 0, 3, 2, 0, 0]
    assert got["is_holiday"].tolist() == [1, 0, 0, 1, 1, 0]  # the days off
    assert got["next_holiday"].tolist() == [2, 3, 2, 4, 4, 4]
    labels = cal.get_code_labels()
    assert labels["holiday"] == {
        0: "none",
        1: "Australia Day",
        2: "Boxing Day",
        3: "Christmas Day",
        4: "New Year's Day",
    }
    assert labels["next_holiday"][0] == "none within 30 days"


def test_holidays_not_seen_in_fit_and_far_away_holidays_get_code_zero() -> None:
    cal = CalendarFeatures(timezone=TZ, country="NL")
    fit_days = ("2024-03-28", "2024-03-29", "2024-05-09", "2024-05-10")
    cal.fit(_local_noons(TZ, *fit_days), City(pd.DataFrame()))
    assert cal.holiday_names_ == ("Ascension Day", "Good Friday")
    days = ["2024-04-26", "2024-04-27", "2024-05-09", "2024-07-01"]
    got = cal.transform(_local_noons(TZ, *days), City(pd.DataFrame()))
    assert got["holiday"].tolist() == [0, 0, 1, 0]  # King's Day was not seen in fit
    assert got["is_holiday"].tolist() == [0, 1, 1, 0]  # but is still a day off
    assert got["next_holiday"].tolist() == [0, 1, 0, 0]  # nothing within 30 days of 1 July


def test_a_holiday_on_the_first_or_last_date_of_fit_gets_no_code() -> None:
    # fitted up to 05:00 on New Year's Day: those hours are the New Year's Eve
    # crowd going home, not a New Year's Day a code could stand for
    melbourne = {"timezone": "Australia/Melbourne", "country": "AU", "subdivision": "VIC"}
    hours = pd.date_range(
        "2015-12-20 06:00", "2016-01-01 05:00", freq="h", tz=melbourne["timezone"]
    )
    rows = make_rows(["a"], list(hours.tz_convert(UTC)), [1], HOUR)
    cal = CalendarFeatures(**melbourne).fit(rows, City(pd.DataFrame()))  # type: ignore[arg-type]
    assert cal.holiday_names_ == ("Boxing Day", "Christmas Day")
    got = cal.transform(_local_noons("Australia/Melbourne", "2016-01-01"), City(pd.DataFrame()))
    assert got[["holiday", "is_holiday"]].to_numpy().tolist() == [[0, 1]]
    # the same holiday seen whole a year earlier keeps its code
    earlier = make_rows(
        ["a"], list(pd.date_range("2014-12-30", periods=4, freq="D", tz=UTC)), [1], HOUR
    )
    cal.fit(pd.concat([earlier, rows], ignore_index=True), City(pd.DataFrame()))
    assert "New Year's Day" in cal.holiday_names_


def test_without_a_country_there_are_no_holiday_codes() -> None:
    got = CalendarFeatures().fit_transform(_local_noons(UTC, "2024-12-25"), City(pd.DataFrame()))
    assert got[["holiday", "next_holiday"]].to_numpy().tolist() == [[0, 0]]


def test_the_local_date_decides_the_holiday_not_the_utc_date() -> None:
    # 22:30 UTC on 26 April is already King's Day in Amsterdam
    rows = make_rows(["a"], [_utc("2024-04-26 22:30")], [1], HOUR)
    assert _calendar(rows)["is_holiday"].tolist() == [1]


def test_calendar_settings_and_closed_days_come_from_the_site(small: City) -> None:
    starts = [_utc("2024-02-19 10:00"), _utc("2024-02-28 10:00")]
    rows = make_rows(["a"], starts, [1], HOUR)
    cal = CalendarFeatures().fit(rows, small)
    assert (cal.timezone_, cal.country_, cal.subdivision_) == (TZ, "NL", "Midden")
    assert cal.transform(rows, small)["is_closed_day"].tolist() == [1, 0]  # voorjaarsvakantie


def test_given_closed_days_replace_the_sites(small: City) -> None:
    rows = make_rows(["a"], [_utc("2024-02-19 10:00"), _utc("2024-02-28 10:00")], [1], HOUR)
    period = ClosedDays("strike", dt.date(2024, 2, 27), dt.date(2024, 2, 28))
    got = CalendarFeatures(closed_days=(period,)).fit_transform(rows, small)
    assert got["is_closed_day"].tolist() == [0, 1]


def test_without_a_site_the_calendar_is_utc_without_holidays() -> None:
    rows = make_rows(["a"], [_utc("2024-04-27 10:00")], [1], HOUR)
    cal = CalendarFeatures().fit(rows, City(pd.DataFrame()))
    got = cal.transform(rows, City(pd.DataFrame()))
    assert (cal.timezone_, cal.country_) == ("UTC", None)
    assert got[["hour", "is_holiday", "days_to_holiday"]].iloc[0].tolist() == [10, 0, 30]


def test_calendar_refuses_an_unknown_time_zone_and_country() -> None:
    rows = _hourly("2024-01-01", 1)
    with pytest.raises(ParameterError) as err:
        CalendarFeatures(timezone="Mars/Olympus", country="XX").fit(rows, City(pd.DataFrame()))
    assert str(err.value) == (
        "Invalid CalendarFeatures parameters: 2 problems.\n"
        "- `timezone` must be an IANA time zone name like 'Europe/Amsterdam'. Got 'Mars/Olympus'.\n"
        "- `country` must be an ISO 3166-1 alpha-2 code supported by `holidays`. Got 'XX'."
    )


# ----------------------------------------------------------------------------- events

T0 = _utc("2024-06-01")


def _site() -> SiteProfile:
    zones = (
        Zone("a", "A", area_m2=100.0, tags=("market", "night-life"), neighbours=("b",)),
        Zone("b", "B", measure="passages", width_m=4.0, neighbours=("a",)),
        Zone("c", "C", capacity=50),
    )
    return SiteProfile("test", "Test", TZ, "NL", None, zones)


def _events(*extra: dict[str, object]) -> pd.DataFrame:
    base = [
        ("e1", "a", 10, 12, 1000.0, "concert", "confirmed"),
        ("e2", "a", 11.5, 13, np.nan, "market", "tentative"),
        ("e3", "a", 18, 20, 5000.0, "football", "cancelled"),
        ("e4", "b", 11, 12, 300.0, "market", "confirmed"),
    ]
    rows = [
        {
            "event_id": i,
            "name": i,
            "zone": z,
            "start": T0 + pd.Timedelta(hours=s),
            "end": T0 + pd.Timedelta(hours=e),
            "expected_attendance": att,
            "category": cat,
            "status": status,
        }
        for i, z, s, e, att, cat, status in base
    ]
    return validate_events(pd.DataFrame([*rows, *extra]))


def _event_features(events: pd.DataFrame, fit_events: pd.DataFrame | None = None) -> pd.DataFrame:
    rows = make_rows(["a", "b"], [T0 + 8 * HOUR], range(1, 15), HOUR)  # 08:00 to 21:00
    learn = events if fit_events is None else fit_events
    fit_on = City(pd.DataFrame(), events=learn, site=_site(), freq=HOUR)
    data = City(pd.DataFrame(), events=events, site=_site(), freq=HOUR)
    out = EventFeatures(lead_hours=6).fit(rows, fit_on).transform(rows, data)
    out.index = pd.MultiIndex.from_arrays([rows["zone"], rows["timestamp"].dt.hour])
    return out


def test_event_features_follow_the_calendar_of_the_zone() -> None:
    a = _event_features(_events()).loc["a"]
    assert a["event_active"].loc[8:14].tolist() == [0, 0, 1, 2, 1, 0, 0]
    assert a["event_attendance"].loc[8:14].tolist() == [0, 0, 1000, 1000, 0, 0, 0]
    assert a["event_hours_to_start"].loc[[8, 9, 10, 13]].tolist() == [2, 1, 0, 6]
    assert a["event_hours_since_end"].loc[[9, 12, 13, 15, 21]].tolist() == [6, 0, 0, 2, 6]
    assert a["event_attendance_next"].loc[[8, 9, 10, 13]].tolist() == [1000, 1000, 0, 0]
    # codes: concert 1, market 2 (football only appears cancelled); the largest active wins
    assert a["event_category"].loc[[8, 10, 11, 12, 13]].tolist() == [1, 1, 1, 2, 0]
    rows = make_rows(["a"], [T0], [1], HOUR)
    fitted = EventFeatures().fit(rows, City(pd.DataFrame(), events=_events()))
    assert fitted.get_code_labels() == {
        "event_category": {
            -1: "a category not seen in fit",
            0: "no event",
            1: "concert",
            2: "market",
        }
    }


def test_cancelled_events_are_ignored() -> None:
    events = _events()
    without = events[events["status"] != "cancelled"]
    assert_frame_equal(_event_features(events), _event_features(without))
    assert _event_features(events).loc["a"]["event_active"].loc[18:20].eq(0).all()


def test_attendance_of_events_in_neighbouring_zones_appears() -> None:
    got = _event_features(_events())
    assert got.loc["a"]["event_attendance_neighbours"].loc[10:12].tolist() == [0, 300, 0]
    assert got.loc["b"]["event_attendance_neighbours"].loc[10:12].tolist() == [1000, 1000, 0]
    assert got.loc["b"]["event_attendance"].loc[10:12].tolist() == [0, 300, 0]


def test_a_category_not_seen_in_fit_is_coded_minus_one() -> None:
    parade = {
        "event_id": "e5",
        "name": "parade",
        "zone": "a",
        "start": T0 + 16 * HOUR,
        "end": T0 + 17 * HOUR,
        "expected_attendance": 50.0,
        "category": "parade",
        "status": "confirmed",
    }
    got = _event_features(_events(parade), fit_events=_events()).loc["a"]
    assert got["event_category"].loc[[15, 16, 17]].tolist() == [-1, -1, 0]


def test_without_events_the_event_columns_say_nothing_is_on() -> None:
    rows = make_rows(["a"], [T0], [1, 2], HOUR)
    data = City(pd.DataFrame(), freq=HOUR)
    got = EventFeatures().fit_transform(rows, data)
    assert got.iloc[0].tolist() == [0, 0, 24, 24, 0, 0, 0]


# ----------------------------------------------------------------------------- weather


def _weather() -> pd.DataFrame:
    hours = pd.date_range(T0, periods=96, freq="h", tz=UTC)
    obs = pd.DataFrame({"timestamp": hours, "temperature_c": np.arange(96.0) / 10})
    first = pd.DataFrame(
        {"timestamp": hours[6:54], "temperature_c": 40.0, "issued_at": T0 + 5 * HOUR}
    )
    second = pd.DataFrame(
        {"timestamp": hours[30:78], "temperature_c": 50.0, "issued_at": T0 + 29 * HOUR}
    )
    table = pd.concat([obs, first, second], ignore_index=True)
    table["issued_at"] = pd.to_datetime(table["issued_at"], utc=True)
    table["precipitation_mm"] = 0.0
    table["wind_speed_ms"] = 2.0
    return table


def _weather_features(origin: pd.Timestamp, horizons: list[int]) -> pd.DataFrame:
    rows = make_rows(["a"], [origin], horizons, HOUR)
    data = City(pd.DataFrame(), weather=_weather(), freq=HOUR)
    return WeatherFeatures(variables=("temperature_c",)).fit_transform(rows, data)


def test_weather_comes_from_the_latest_forecast_issued_by_the_origin() -> None:
    got = _weather_features(T0 + 28 * HOUR, [1, 3, 26, 27])  # targets 28, 30, 53, 54 h
    assert got["weather_temperature_c"].tolist()[:3] == [40.0, 40.0, 40.0]
    assert got["weather_forecast_age_h"].tolist()[:3] == [23.0, 25.0, 48.0]
    # beyond the first forecast's reach: persistence of the last hour ended (27:00)
    assert got.iloc[3].tolist()[0] == pytest.approx(2.7) and np.isnan(got.iloc[3, 1])


def test_a_forecast_issued_at_the_origin_is_used() -> None:
    got = _weather_features(T0 + 29 * HOUR, [2])
    assert got.iloc[0].tolist() == [50.0, 1.0]


def test_a_target_before_the_origin_without_forecast_gets_its_observation() -> None:
    got = _weather_features(T0 + 3 * HOUR, [-1, 0, 1])  # targets 01:00, 02:00, 03:00
    assert got["weather_temperature_c"].tolist() == pytest.approx([0.1, 0.2, 0.2])
    assert got["weather_forecast_age_h"].isna().all()


def test_an_observation_is_persisted_at_most_max_observation_age_h() -> None:
    hours = pd.date_range(T0, periods=11, freq="h", tz=UTC)  # the station stops at 10:00
    table = pd.DataFrame({"timestamp": hours, "temperature_c": np.arange(11.0)})
    table["issued_at"] = pd.NaT
    data = City(pd.DataFrame(), weather=table, freq=HOUR)
    # origin 59:00: the last hour ended is 58:00, 48 h after the last observation
    rows = make_rows(["a"], [T0 + 59 * HOUR, T0 + 60 * HOUR], [1], HOUR)
    got = WeatherFeatures(variables=("temperature_c",)).fit_transform(rows, data)
    assert got["weather_temperature_c"].tolist()[0] == 10.0
    assert np.isnan(got["weather_temperature_c"].tolist()[1])  # 49 h: stale, unknown
    shorter = WeatherFeatures(variables=("temperature_c",), max_observation_age_h=2.5)
    near = make_rows(["a"], [T0 + 13 * HOUR, T0 + 14 * HOUR], [1], HOUR)
    assert shorter.fit_transform(near, data)["weather_temperature_c"].isna().tolist() == [
        False,
        True,
    ]
    forever = WeatherFeatures(variables=("temperature_c",), max_observation_age_h=None)
    assert forever.fit_transform(rows, data)["weather_temperature_c"].tolist() == [10.0, 10.0]


def test_several_stations_are_averaged() -> None:
    one = _weather()
    two = one.assign(temperature_c=one["temperature_c"] + 2, station="b")
    table = pd.concat([one.assign(station="a"), two], ignore_index=True)
    rows = make_rows(["a"], [T0 + 28 * HOUR], [1], HOUR)
    got = WeatherFeatures().fit_transform(rows, City(pd.DataFrame(), weather=table))
    assert got["weather_temperature_c"].tolist() == [41.0]


def test_without_weather_the_weather_columns_are_nan() -> None:
    rows = make_rows(["a"], [T0], [1, 2], HOUR)
    got = WeatherFeatures().fit_transform(rows, City(pd.DataFrame()))
    assert list(got.columns) == [
        "weather_temperature_c",
        "weather_precipitation_mm",
        "weather_wind_speed_ms",
        "weather_forecast_age_h",
    ]
    assert got.isna().all().all()


def test_the_weather_condition_is_a_categorical_code_read_like_the_numbers() -> None:
    hours = pd.date_range(T0, periods=6, freq="h", tz=UTC)
    observed = pd.DataFrame(
        {
            "timestamp": hours,
            "temperature_c": 5.0,
            "condition": ["dry", " Wet Road", None, "snow", "dry", "hail"],
            "issued_at": pd.NaT,
        }
    )
    fitted_on = City(pd.DataFrame(), weather=observed.iloc[:4], freq=HOUR)
    step = WeatherFeatures(variables=("temperature_c",), condition=True)
    step.fit(make_rows(["a"], [T0 + HOUR], [1], HOUR), fitted_on)
    assert step.conditions_ == {"dry": 1, "snow": 2, "wet road": 3}
    assert "weather_condition" in step.get_categorical_names_out()
    data = City(pd.DataFrame(), weather=observed, freq=HOUR)
    # targets before the origin get their hour's observation
    got = step.transform(make_rows(["a"], [T0 + 6 * HOUR], [-5, -4, -3, -2, -1, 0], HOUR), data)
    assert got["weather_condition"].tolist() == [1.0, 3.0, 0.0, 2.0, 1.0, -1.0]
    labels = step.get_code_labels()["weather_condition"]
    assert labels[3] == "wet road" and labels[-1] == "a condition not seen in fit"
    assert "weather_condition" not in WeatherFeatures().get_feature_names_out()


def test_the_global_model_uses_the_condition_when_the_weather_has_one() -> None:
    sim = cc.make_city(zones=["station_square"], start="2024-03-01", end="2024-04-15")
    weather = sim.weather.assign(
        condition=np.where(sim.weather["precipitation_mm"] > 0.5, "wet road", "dry")
    )
    city = City.from_tables(sim.counts, weather=weather, site=sim.site)
    model = cc.GBMForecaster(horizon=3, lgbm_params={"n_estimators": 5}).fit(city)
    assert "weather_condition" in model.features_.get_categorical_names_out()
    plain = cc.GBMForecaster(horizon=3, lgbm_params={"n_estimators": 5}).fit(sim.counts)
    assert "weather_condition" not in plain.provenance_.features


# ----------------------------------------------------------------------------- static


def test_static_features_describe_the_zone_from_the_site() -> None:
    rows = make_rows(["c", "a", "b"], [T0], [1], HOUR)
    static = StaticFeatures().fit(rows, City(pd.DataFrame(), site=_site()))
    got = static.transform(rows, City(pd.DataFrame()))
    assert static.get_feature_names_out() == [
        "zone_code",
        "area_m2",
        "width_m",
        "capacity",
        "is_passages",
        "tag_market",
        "tag_night_life",
    ]
    assert got["zone_code"].tolist() == [2, 0, 1]
    assert got["is_passages"].tolist() == [0, 0, 1]
    assert got["tag_night_life"].tolist() == [0, 1, 0]
    assert got["capacity"].tolist()[0] == 50 and np.isnan(got["capacity"].iloc[1])


def test_a_zone_not_seen_in_fit_gets_code_minus_one() -> None:
    fit_rows = make_rows(["a", "b"], [T0], [1], HOUR)
    static = StaticFeatures().fit(fit_rows, City(pd.DataFrame()))
    got = static.transform(make_rows(["b", "c"], [T0], [1], HOUR), City(pd.DataFrame()))
    assert static.get_feature_names_out() == ["zone_code"]
    assert got["zone_code"].tolist() == [1, -1]
    assert static.get_code_labels() == {"zone_code": {-1: "a zone not seen in fit", 0: "a", 1: "b"}}


def test_static_features_cannot_name_their_columns_before_fit() -> None:
    with pytest.raises(NotFittedError, match="its columns depend on the site's zones"):
        StaticFeatures().get_feature_names_out()


# ----------------------------------------------------------------------------- the default set

SAMPLE_COLUMNS = [
    "horizon",
    "hour",
    "weekday",
    "month",
    "day_of_year",
    "is_weekend",
    "is_holiday",
    "days_to_holiday",
    "days_from_holiday",
    "is_bridge_day",
    "is_closed_day",
    "holiday",
    "next_holiday",
    "lag_origin_1",
    "lag_origin_2",
    "lag_origin_3",
    "lag_target_24",
    "lag_target_48",
    "lag_target_168",
    "lag_target_336",
    "rolling_mean_24",
    "rolling_mean_168",
    "profile_median_4w",
    "profile_mean_4w",
    "recent_ratio_3",
    "event_attendance",
    "event_active",
    "event_hours_to_start",
    "event_hours_since_end",
    "event_attendance_next",
    "event_category",
    "event_attendance_neighbours",
    "weather_temperature_c",
    "weather_precipitation_mm",
    "weather_wind_speed_ms",
    "weather_forecast_age_h",
    "zone_code",
    "area_m2",
    "width_m",
    "capacity",
    "is_passages",
    "tag_culture",
    "tag_event",
    "tag_green",
    "tag_horeca",
    "tag_market",
    "tag_nightlife",
    "tag_retail",
    "tag_stadium",
    "tag_tourism",
    "tag_transit",
    "tag_waterfront",
]


def test_the_default_columns_of_the_sample_city_are_pinned() -> None:
    site = cc.load_site_profile(cc.sample_path() / "site.toml")
    rows = make_rows(site.zone_ids, [T0], [1], HOUR)
    pipe = default_features(site).fit(rows, City(pd.DataFrame(), site=site))
    assert pipe.get_feature_names_out() == SAMPLE_COLUMNS
    # codes, not quantities: a model splits them by value, not by rank
    assert pipe.get_categorical_names_out() == [
        "holiday",
        "next_holiday",
        "event_category",
        "zone_code",
    ]
    assert dict(pipe.steps)["calendar"].get_categorical_names_out() == ["holiday", "next_holiday"]
    assert dict(pipe.steps)["weather"].get_categorical_names_out() == []


def test_default_features_transform_the_small_city_with_the_pinned_dtypes(
    small: City,
) -> None:
    rows = make_rows(["stadium_plaza"], [_utc("2024-03-09 12:00")], range(1, 25), HOUR)
    got = default_features(small.site).fit_transform(rows, small)
    assert got.shape == (24, 44)
    assert got.index.equals(rows.index)
    assert got["event_active"].max() == 1  # the match of 9 March
    assert got["lag_origin_1"].notna().all() and got["weather_forecast_age_h"].notna().all()
    assert set(map(str, got.dtypes)) <= {"float64", "int64", "int16", "int8"}


def test_default_history_features_scale_to_quarter_hours_and_the_horizon() -> None:
    params = default_features(freq="15min", horizon=96).get_params()
    assert params["origin_lags__lags"] == (1, 2, 3, 4, 8, 12)
    assert params["target_lags__lags"] == (96, 192, 672, 1344)
    assert params["rolling__windows"] == (96, 672)
    assert params["profile__recent"] == 12
    assert default_features(horizon=30).get_params()["target_lags__lags"] == (48, 72, 168, 336)


def test_default_features_refuse_an_interval_that_does_not_divide_a_day() -> None:
    with pytest.raises(
        ParameterError,
        match=re.escape("`freq` must be an interval that divides one day. Got '7min'."),
    ):
        default_features(freq="7min")


# ----------------------------------------------------------------------------- estimator contract

TRANSFORMERS: list[FeatureTransformer] = [
    CalendarFeatures(),
    OriginLags(),
    TargetLags(),
    OriginRolling(),
    SeasonalProfile(),
    EventFeatures(),
    WeatherFeatures(),
    StaticFeatures(),
    HorizonFeature(),
    default_features(),
]


@pytest.mark.parametrize("transformer", TRANSFORMERS, ids=lambda t: type(t).__name__)
def test_every_transformer_clones_with_its_parameters(transformer: FeatureTransformer) -> None:
    copy = clone(transformer)
    assert type(copy) is type(transformer)
    assert copy.get_params(deep=False).keys() == transformer.get_params(deep=False).keys()
    assert not hasattr(copy, "n_features_out_")


@pytest.mark.parametrize("transformer", TRANSFORMERS, ids=lambda t: type(t).__name__)
def test_every_transformer_refuses_to_transform_before_fit(
    transformer: FeatureTransformer, small: City
) -> None:
    rows = make_rows(["station_square"], [_utc("2024-02-01")], [1], HOUR)
    name = type(transformer).__name__
    with pytest.raises(NotFittedError, match=re.escape(f"This {name} is not fitted yet.")):
        clone(transformer).transform(rows, small)


@pytest.mark.parametrize("transformer", TRANSFORMERS, ids=lambda t: type(t).__name__)
def test_every_transformer_gives_named_empty_columns_for_no_rows(
    transformer: FeatureTransformer, small: City
) -> None:
    rows = make_rows(["station_square"], [_utc("2024-02-01")], [1], HOUR)
    fitted = clone(transformer).fit(rows, small)
    got = fitted.transform(rows.iloc[:0], small)
    assert list(got.columns) == fitted.get_feature_names_out() and len(got) == 0


def test_the_pipeline_exposes_nested_parameters() -> None:
    params = default_features().get_params()
    assert params["rolling__stats"] == ("mean",)
    assert params["weather__variables"] == ("temperature_c", "precipitation_mm", "wind_speed_ms")


@pytest.mark.parametrize(
    ("transformer", "message"),
    [
        (
            OriginRolling(stats=(lambda x: x,)),
            "Invalid OriginRolling parameters: 1 problem.\n"
            "- `stats` must be distinct names among mean, std, min, max. "
            "Got the function <lambda>.\n"
            "    hint: a function cannot name its column; subclass FeatureTransformer instead",
        ),
        (
            OriginRolling(stats=("median",)),
            "Invalid OriginRolling parameters: 1 problem.\n"
            "- `stats` must be distinct names among mean, std, min, max. Got ('median',).\n"
            "    hint: a function cannot name its column; subclass FeatureTransformer instead",
        ),
        (
            OriginLags(lags=(0, 1)),
            "Invalid OriginLags parameters: 1 problem.\n"
            "- `lags` must be distinct positive integers (intervals). Got (0, 1).",
        ),
        (
            TargetLags(lags=24),
            "Invalid TargetLags parameters: 1 problem.\n"
            "- `lags` must be distinct positive integers (intervals). Got 24.",
        ),
        (
            SeasonalProfile(weeks=1.5),
            "Invalid SeasonalProfile parameters: 1 problem.\n"
            "- `weeks` must be a positive integer. Got 1.5.",
        ),
        (
            EventFeatures(lead_hours=0),
            "Invalid EventFeatures parameters: 1 problem.\n"
            "- `lead_hours` must be a positive number. Got 0.",
        ),
        (
            WeatherFeatures(variables=("snow_cm",)),
            "Invalid WeatherFeatures parameters: 1 problem.\n"
            "- `variables` must be distinct names among temperature_c, precipitation_mm, "
            "wind_speed_ms, sunshine_h, humidity_pct. Got ('snow_cm',).",
        ),
        (
            WeatherFeatures(max_observation_age_h=0),
            "Invalid WeatherFeatures parameters: 1 problem.\n"
            "- `max_observation_age_h` must be a positive number or None. Got 0.",
        ),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, FeatureTransformer) else None,
)
def test_fit_refuses_bad_parameters_with_one_clear_message(
    transformer: FeatureTransformer, message: str, small: City
) -> None:
    rows = make_rows(["station_square"], [_utc("2024-02-01")], [1], HOUR)
    with pytest.raises(ParameterError) as err:
        transformer.fit(rows, small)
    assert str(err.value) == message


def test_feature_union_set_params_reaches_its_steps() -> None:
    union = FeatureUnion([("lags", OriginLags(lags=(1,))), ("horizon", HorizonFeature())])
    union.set_params(lags__lags=(1, 2))
    assert union.steps[0][1].lags == (1, 2)
    assert union.get_feature_names_out() == ["lag_origin_1", "lag_origin_2", "horizon"]
    union.set_params(lags=TargetLags(lags=(24,)))
    assert union.get_feature_names_out() == ["lag_target_24", "horizon"]
    cloned = clone(union).set_params(horizon=HorizonFeature())
    assert cloned.get_params()["lags__lags"] == (24,)
    with pytest.raises(ValueError, match="Invalid parameter 'nope__x' for FeatureUnion"):
        union.set_params(nope__x=1)


def test_feature_pipeline_is_a_deprecated_name_of_feature_union() -> None:
    import crowdcast.features

    with pytest.warns(DeprecationWarning, match="FeaturePipeline is now FeatureUnion"):
        assert crowdcast.features.FeaturePipeline is FeatureUnion
