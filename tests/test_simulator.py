"""The sample-city simulator: byte-reproducible, readable by crowdcast, realistic, truthful."""

from __future__ import annotations

import filecmp
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from crowdcast.exceptions import CrowdcastError
from crowdcast.io import (
    read_counts,
    read_ical,
    read_incidents,
    read_knmi,
    read_signals,
    read_weather_csv,
)
from crowdcast.profiles import load_site_profile
from crowdcast.sample._simulator import FILES, SimulatedCity, main, make_city
from crowdcast.schemas import validate_counts

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
TZ = "Europe/Amsterdam"


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> SimulatedCity:
    """The default sample city, written once into a temporary folder."""
    return make_city(tmp_path_factory.mktemp("sample"))


def _zone(city: SimulatedCity, zone: str) -> pd.DataFrame:
    c = city.counts[city.counts["zone"] == zone].copy()
    local = c["timestamp"].dt.tz_convert(TZ)
    c["hour"] = local.dt.hour
    c["weekday"] = local.dt.day_of_week
    c["utc_hour"] = c["timestamp"].dt.hour
    return c


# ----------------------------------------------------------------------------- reproducibility


@pytest.mark.slow
def test_make_city_regenerates_data_sample_byte_for_byte(city: SimulatedCity) -> None:
    written = {p.name for p in city.paths}
    shipped = {p.name for p in SAMPLE.iterdir() if not p.name.startswith(".")}
    assert written == shipped == set(FILES)
    folder = city.paths[0].parent
    match, mismatch, errors = filecmp.cmpfiles(folder, SAMPLE, sorted(FILES), shallow=False)
    assert mismatch == [] and errors == [], (
        f"data/sample is stale for {mismatch + errors}: run `make sample`"
    )
    assert sorted(match) == sorted(FILES)


def test_the_same_seed_gives_the_same_bytes_and_another_seed_differs(tmp_path: Path) -> None:
    kwargs = {"start": "2024-03-01", "end": "2024-04-15"}
    a = make_city(tmp_path / "a", seed=7, **kwargs)
    b = make_city(tmp_path / "b", seed=7, **kwargs)
    c = make_city(tmp_path / "c", seed=8, **kwargs)
    for pa, pb, pc in zip(a.paths, b.paths, c.paths, strict=True):
        assert pa.read_bytes() == pb.read_bytes(), pa.name
        if pa.name in ("counts.csv", "weather_knmi.txt", "signals.csv", "weather_forecasts.csv"):
            assert pa.read_bytes() != pc.read_bytes(), pa.name
    assert_frame_equal(a.counts, b.counts)


def test_choosing_zones_does_not_change_the_data_of_the_others() -> None:
    kwargs = {"start": "2024-06-01", "end": "2024-06-14", "seed": 3}
    alone = make_city(zones=["park_waterfront"], **kwargs).counts
    full = make_city(**kwargs).counts
    park = full[full["zone"] == "park_waterfront"].reset_index(drop=True)
    assert_frame_equal(alone, park)


def test_data_sample_stays_under_20_mb() -> None:
    assert sum(p.stat().st_size for p in SAMPLE.iterdir()) < 20e6


# ----------------------------------------------------------------------------- writing


def test_make_city_refuses_to_overwrite_and_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "counts.csv").write_text("keep me")
    with pytest.raises(CrowdcastError, match=r"counts\.csv") as info:
        make_city(tmp_path, start="2024-01-01", end="2024-01-03")
    assert "overwrite=True" in str(info.value)
    assert (tmp_path / "counts.csv").read_text() == "keep me"
    assert not (tmp_path / "site.toml").exists()  # nothing written at all
    city = make_city(tmp_path, start="2024-01-01", end="2024-01-03", overwrite=True)
    assert (tmp_path / "counts.csv").read_text().startswith("zone,timestamp,count\n")
    assert [p.name for p in city.paths] == list(FILES)


def test_the_module_runs_as_a_script(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "site.toml").write_text("x")
    assert main([str(tmp_path)]) == 1
    assert "overwrite" in capsys.readouterr().err


def test_invalid_arguments_are_refused_with_the_template() -> None:
    with pytest.raises(ValueError, match=r"`freq` must be an interval that divides one hour"):
        make_city(freq="7min")
    with pytest.raises(ValueError, match=r"`zones` must be distinct zone ids"):
        make_city(zones=["harbour"])
    with pytest.raises(ValueError, match=r"`end` must be on or after start 2024-01-02"):
        make_city(start="2024-01-02", end="2024-01-01")
    with pytest.raises(ValueError, match=r"`seed` must be a non-negative integer"):
        make_city(seed=-1)


# ----------------------------------------------------------------------------- readers


def test_the_site_profile_loads_and_is_the_returned_profile(city: SimulatedCity) -> None:
    folder = city.paths[0].parent
    site = load_site_profile(folder / "site.toml")
    assert site == city.site
    assert len(site.zones) == 7 and site.timezone == TZ and site.country == "NL"
    assert {z.measure for z in site.zones} == {"occupancy", "passages"}
    assert site.privacy.min_count_per_hour == 15
    assert site.weight("alcohol_aggression") == 1.0 != city.truth["site_weight"]
    assert sum("licensed" in v.tags and v.zone == "nightlife_street" for v in site.venues) == 6
    assert {c.kind for c in site.closed_days} == {"school_holiday"}
    assert site.source("incidents").purposes == ("crowd_safety",)
    assert all(s.path.is_file() for s in site.sources)


def test_every_file_reads_back_into_the_returned_tables(city: SimulatedCity) -> None:
    folder = city.paths[0].parent
    site = city.site
    assert_frame_equal(read_counts(folder / "counts.csv", zones=site), city.counts)
    events = read_ical(folder / "events.ics", zones=site, timezone=TZ)
    assert_frame_equal(events, city.events)
    assert_frame_equal(read_knmi(folder / "weather_knmi.txt"), city.weather)
    assert_frame_equal(read_weather_csv(folder / "weather_forecasts.csv"), city.weather_forecasts)
    assert_frame_equal(read_signals(folder / "signals.csv", locations=site), city.signals)
    assert_frame_equal(read_incidents(folder / "incidents.csv", zones=site), city.incidents)


def test_counts_file_is_valid_and_outages_are_absent_rows_not_zeros(city: SimulatedCity) -> None:
    folder = city.paths[0].parent
    raw = pd.read_csv(folder / "counts.csv", dtype={"zone": "str", "count": "int64"})
    assert raw.columns.tolist() == ["zone", "timestamp", "count"]
    assert raw["timestamp"].str.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:00:00Z").all()
    raw["timestamp"] = pd.to_datetime(raw["timestamp"], utc=True)
    valid = validate_counts(raw.astype({"count": "float64"}), zones=city.site.zone_ids, freq="1h")
    assert len(valid) == city.counts["count"].notna().sum()
    gaps = city.truth["gaps"]
    assert len(gaps) >= 10 and gaps["intervals"].max() >= 14 * 24
    assert city.counts["count"].isna().sum() == gaps["intervals"].sum()
    first = gaps.iloc[0]
    hidden = raw[
        (raw["zone"] == first["zone"])
        & raw["timestamp"].between(first["start"], first["end"], inclusive="left")
    ]
    assert hidden.empty
    assert (folder / "counts.csv").read_bytes().count(b"\r") == 0


def test_glitches_are_in_the_observed_counts_as_documented(city: SimulatedCity) -> None:
    glitches = city.truth["glitches"].set_index("kind")
    counts = city.counts.set_index(["zone", "timestamp"])["count"]
    overflow = glitches.loc["overflow"]
    assert counts[(overflow["zone"], overflow["start"])] == 65535
    stuck = glitches.loc["stuck"]
    run = counts.loc[stuck["zone"]].loc[stuck["start"] : stuck["end"] - pd.Timedelta("1h")]
    assert len(run) == 36 and run.nunique() == 1


def test_knmi_file_has_the_real_layout(city: SimulatedCity) -> None:
    lines = (city.paths[0].parent / "weather_knmi.txt").read_bytes().split(b"\r\n")
    header = next(i for i, line in enumerate(lines) if line.startswith(b"# STN,YYYYMMDD"))
    assert lines[header] == (
        b"# STN,YYYYMMDD,   HH,   DD,   FH,   FF,   FX,    T, T10N,   TD,   SQ,    Q,   DR,   RH,"
        b"    P,   VV,    N,    U,   WW,   IX,    M,    R,    S,    O,    Y"
    )
    first = lines[header + 2].decode().split(",")
    assert first[:3] == ["  260", "20230101", "    1"] and len(first) == 25
    w = city.weather
    assert 9.0 < w["temperature_c"].mean() < 12.0
    assert 0.05 < (w["precipitation_mm"] > 0).mean() < 0.12
    assert 3.0 < w["wind_speed_ms"].mean() < 5.0


def test_forecast_errors_grow_with_lead_time(city: SimulatedCity) -> None:
    fc = city.weather_forecasts
    obs = city.weather.set_index("timestamp")["temperature_c"]
    lead = (fc["timestamp"] - fc["issued_at"]) / pd.Timedelta("1h")
    assert set(lead) == set(range(48)) and (fc["issued_at"].dt.hour == 5).all()
    error = (fc["temperature_c"] - fc["timestamp"].map(obs)).abs()
    assert (
        error[lead < 6].mean() < error[(lead >= 24) & (lead < 30)].mean() < error[lead >= 42].mean()
    )


# ----------------------------------------------------------------------------- rhythms


def test_station_weekday_morning_peak_beats_the_night(city: SimulatedCity) -> None:
    s = _zone(city, "station_square")
    weekdays = s[s["weekday"] < 5]
    by_hour = weekdays.groupby("hour")["count"].mean()
    assert by_hour[8] > 10 * by_hour[3]
    assert by_hour.idxmax() == 8
    assert 1500 < weekdays.loc[weekdays["hour"] == 8, "count"].median() < 3000


def test_the_local_morning_peak_stays_at_0800_across_the_dst_change(city: SimulatedCity) -> None:
    s = _zone(city, "station_square")
    s = s[(s["weekday"] < 5) & s["count"].notna()]
    change = pd.Timestamp("2024-03-31 01:00", tz="UTC")
    before = s[(s["timestamp"] < change) & (s["timestamp"] > change - pd.Timedelta(days=28))]
    after = s[(s["timestamp"] > change) & (s["timestamp"] < change + pd.Timedelta(days=28))]
    for part, utc_peak in ((before, 7), (after, 6)):
        assert part.groupby("hour")["count"].mean().idxmax() == 8
        assert part.groupby("utc_hour")["count"].mean().idxmax() == utc_peak


def test_weekly_rhythms_follow_each_zone_character(city: SimulatedCity) -> None:
    night = _zone(city, "nightlife_street")
    saturday_night = night[(night["weekday"] == 6) & (night["hour"] < 3)]["count"].mean()
    tuesday_night = night[(night["weekday"] == 2) & (night["hour"] < 3)]["count"].mean()
    assert saturday_night > 2000 and saturday_night > 4 * tuesday_night
    shop = _zone(city, "shopping_street")
    sunday = shop[shop["weekday"] == 6].groupby("hour")["count"].mean()
    assert sunday[14] > 5 * sunday[10]  # Sunday opening 12-17 only
    thursday = shop[shop["weekday"] == 3].groupby("hour")["count"].mean()
    tuesday = shop[shop["weekday"] == 1].groupby("hour")["count"].mean()
    assert thursday[19] > 2 * tuesday[19]  # late-night shopping
    market = _zone(city, "market_square")
    saturday = market[market["weekday"] == 5].groupby("hour")["count"].mean()
    friday = market[market["weekday"] == 4].groupby("hour")["count"].mean()
    assert saturday[10] > 2 * friday[10]  # the Saturday market


def test_rain_empties_the_park_and_warm_dry_afternoons_fill_it(city: SimulatedCity) -> None:
    park = _zone(city, "park_waterfront").join(city.weather.set_index("timestamp"), on="timestamp")
    afternoon = park[park["hour"].between(12, 17)]
    rainy = afternoon[afternoon["precipitation_mm"] >= 0.5]["count"].mean()
    warm = afternoon[(afternoon["precipitation_mm"] == 0) & (afternoon["temperature_c"] > 20)]
    assert rainy < warm["count"].mean() / 3


def test_stadium_plaza_fills_on_match_days_only(city: SimulatedCity) -> None:
    plaza = _zone(city, "stadium_plaza")
    matches = city.events[
        (city.events["category"] == "football") & (city.events["status"] == "confirmed")
    ]
    assert 30 <= matches["event_id"].nunique() <= 50  # about 20 a season
    peaks = []
    for m in matches.itertuples():
        window = plaza[plaza["timestamp"].between(m.start - pd.Timedelta("2h"), m.start)]
        if window["count"].notna().any():
            peaks.append(window["count"].max() / 9000)
    match_days = set(matches["start"].dt.tz_convert(TZ).dt.date)
    quiet = plaza[~plaza["timestamp"].dt.tz_convert(TZ).dt.date.isin(match_days)]
    assert np.median(peaks) > 2.0  # persons/m2 before kick-off
    assert quiet["count"].quantile(0.9) < 200


def test_a_cancelled_event_leaves_no_trace_in_the_counts(city: SimulatedCity) -> None:
    ev = city.events
    cancelled = ev[(ev["status"] == "cancelled") & (ev["category"] == "football")].iloc[0]
    replay = ev[ev["name"].str.startswith(cancelled["name"]) & (ev["status"] == "confirmed")].iloc[
        0
    ]
    plaza = city.truth["expected_counts"]["stadium_plaza"]

    def peak(event: pd.Series) -> float:
        return float(
            plaza[event["start"] - pd.Timedelta("3h") : event["end"] + pd.Timedelta("2h")].max()
        )

    assert peak(cancelled) < 200 < 5000 < peak(replay)
    parts = city.truth["attendance"]
    assert (parts.loc[parts["status"] == "cancelled", "realised_attendance"] == 0).all()


def test_events_spill_into_neighbouring_zones(city: SimulatedCity) -> None:
    expected = city.truth["expected_counts"]
    matches = city.events[
        (city.events["category"] == "football") & (city.events["status"] == "confirmed")
    ]
    m = matches.iloc[5]
    before = slice(m["start"] - pd.Timedelta("2h"), m["start"])
    same_time_last_week = slice(before.start - pd.Timedelta("7D"), before.stop - pd.Timedelta("7D"))
    station = expected["station_square"]
    assert station[before].max() > station[same_time_last_week].max() + 500


def test_many_zones_are_replicas_with_unique_ids_and_a_valid_profile(tmp_path: Path) -> None:
    city = make_city(tmp_path, n_zones=23, start="2024-05-01", end="2024-05-03")
    ids = city.site.zone_ids
    assert len(ids) == len(set(ids)) == 23
    assert "station_square_002" in ids and "station_square_004" in ids
    assert load_site_profile(tmp_path / "site.toml") == city.site
    assert set(city.counts["zone"]) == set(ids)


def test_quarter_hour_counts_scale_passages_per_interval() -> None:
    hourly = make_city(start="2024-05-06", end="2024-05-12", zones=["shopping_street"]).counts
    quarter = make_city(
        start="2024-05-06", end="2024-05-12", zones=["shopping_street"], freq="15min"
    ).counts
    assert len(quarter) == 4 * len(hourly)
    ratio = quarter["count"].sum() / hourly["count"].sum()
    assert 0.9 < ratio < 1.1  # the same people, counted in four times smaller intervals


# ----------------------------------------------------------------------------- the truth


def test_a_poisson_glm_recovers_the_true_site_weight(city: SimulatedCity) -> None:
    sm = pytest.importorskip("statsmodels.api")
    # the exposure from the files alone: litres per licensed venue in scope, window 18-06 local
    site = city.site
    scope = [v.id for v in site.venues if v.zone == "nightlife_street" and "licensed" in v.tags]
    sales = city.signals[city.signals["location"].isin(scope)]
    hours = pd.date_range(city.counts["timestamp"].min(), city.counts["timestamp"].max(), freq="h")
    litres = sales.pivot(index="timestamp", columns="location", values="value")
    litres = litres.reindex(hours).reindex(columns=scope).fillna(0.0)  # closed = 0 L
    local = hours.tz_convert(TZ)
    in_window = (local.hour >= 18) | (local.hour < 6)
    x = np.log1p(city.truth["effect"]) * np.where(in_window, litres.mean(axis=1), 0.0)
    incidents = city.incidents.set_index("timestamp")["count"].reindex(hours, fill_value=0)
    assert incidents.sum() > 500 and (city.incidents["count"] > 0).all()
    truth = city.truth["incident_rates"]
    np.testing.assert_allclose(x, np.log1p(city.truth["effect"]) * truth["exposure_l"], atol=1e-9)

    # as calibration would: one baseline per weekday-of-night x hour, the weight on x
    night = (local.day_of_week - (local.hour < 6)) % 7
    cells = pd.get_dummies(pd.Series(night * 24 + local.hour, index=hours), prefix="cell")
    design = cells.astype(float).assign(x=x)
    fit = sm.GLM(incidents.to_numpy(), design, family=sm.families.Poisson()).fit()
    low, high = fit.conf_int().loc["x"]
    assert low < city.truth["site_weight"] == 1.6 < high

    # with the true baseline as offset the interval is sharp enough to reject the belief 1.0
    offset = np.log(truth["baseline_rate"].to_numpy())
    sharp = sm.GLM(incidents.to_numpy(), x[:, None], family=sm.families.Poisson(), offset=offset)
    low, high = sharp.fit().conf_int()[0]
    assert low < 1.6 < high
    assert not low < city.site.weight("alcohol_aggression") < high
