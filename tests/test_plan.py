"""crowdcast plan: the planner's window, report, CSV, scenario, stale data and model reuse."""

from __future__ import annotations

import dataclasses
import html
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import crowdcast as cc
from _plan_helpers import FAST, Planned
from crowdcast.exceptions import DataValidationError, ParameterError
from crowdcast.jobs import plan_event
from crowdcast.report import PLAN_COLUMNS
from crowdcast.risk import quantile_at

# ----------------------------------------------------------------------------- self-contained


class _Resources(HTMLParser):
    """Every attribute that could make a browser fetch something."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str, str]] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href", "xlink:href", "srcset", "data", "action", "poster"):
                self.found.append((tag, name, value or ""))


def test_the_report_is_one_self_contained_file(planned: Planned) -> None:
    page = planned.run.html
    assert planned.run.path is not None and planned.run.path.read_text() == page
    assert not re.search(r"https?://", page)  # no URL at all, so no external request
    parser = _Resources()
    parser.feed(page)
    assert "script" not in parser.tags and "link" not in parser.tags and "img" not in parser.tags
    assert all(value.startswith("#") for _, _, value in parser.found), parser.found
    assert all(ref.startswith("#") for ref in re.findall(r"url\(['\"]?([^)]*)\)", page))
    assert "@import" not in page
    # figures inline: one SVG timeline per zone, and the print stylesheet
    assert page.count("<svg") == len(planned.run.report.zones) == 7
    assert "@media print" in page and "size: A4" in page


def test_the_report_is_in_local_time_with_the_event_and_scenario_in_words(
    planned: Planned,
) -> None:
    page = html.unescape(planned.run.html)
    match = planned.match
    kick_off = match["start"].tz_convert("Europe/Amsterdam")
    assert f"{match['name']}, Sat {kick_off.day} Dec, {kick_off:%H:%M}" in page
    old = f"{match['expected_attendance']:,.0f}"
    assert f"{match['name']}: attendance 40,000 instead of {old}" in page
    assert "(Europe/Amsterdam)" in page and "Expected is the middle forecast (P50)" in page
    # the window follows the event: 6 h before kick-off to 4 h after the end, on the hour
    report = planned.run.report
    assert report.start == (match["start"] - pd.Timedelta("6h")).floor("h")
    assert report.end == (match["end"] + pd.Timedelta("4h")).ceil("h")


def test_attendance_above_what_the_model_has_seen_is_a_warning(planned: Planned) -> None:
    low, high = planned.model.event_response_.spreads["football"].attendance_range
    assert high < 40_000
    expected = (
        f"attendance 40,000 is above every football event the model has seen "
        f"({low:,.0f} to {high:,.0f})"
    )
    assert any(expected in w for w in planned.run.warnings)
    assert expected in html.unescape(planned.run.html)


def test_alerts_are_sentences_timed_against_the_kick_off(planned: Planned) -> None:
    risk = planned.run.report.risk
    assert risk is not None and len(risk.alerts) >= 1
    assert len(planned.run.alerts) == len(risk.alerts)
    first = risk.alerts.sort_values("first_alert").iloc[0]
    name = planned.city.site.zone(first["zone"]).name
    line = planned.run.alerts[0]
    at = first["first_alert"].tz_convert("Europe/Amsterdam")
    assert line.startswith(f"{name}: {first['level']} ")
    assert f"({round(100 * first['probability'])} %) from {at:%H:%M}" in line
    assert "before kick-off" in line or "after kick-off" in line or "at kick-off" in line
    assert html.escape(line.split(": ", 1)[1].split(" ", 1)[1]) in planned.run.html


# ----------------------------------------------------------------------------- the CSV


def test_the_csv_is_the_forecast_in_local_time_and_whole_persons(planned: Planned) -> None:
    run = planned.run
    assert run.table_path == run.path.with_suffix(".csv")  # type: ignore[union-attr]
    csv = pd.read_csv(run.table_path, keep_default_na=False, na_values=[""])
    assert tuple(csv.columns) == PLAN_COLUMNS
    for col in ("expected", "low_80", "high_80"):
        assert csv[col].dtype == np.int64
    fc = run.report.window_rows(run.report.forecast)
    fc = fc.assign(local_time=fc["timestamp"].dt.tz_convert("Europe/Amsterdam"))
    merged = csv.merge(
        fc.assign(local_time=fc["local_time"].dt.strftime("%Y-%m-%d %H:%M")),
        on=["zone", "local_time"],
        validate="one_to_one",
    )
    assert len(merged) == len(csv) == len(fc) == 7 * len(merged["local_time"].unique())
    np.testing.assert_array_equal(merged["expected"], np.round(merged["q0.5"]))
    taus = np.array([0.1, 0.5, 0.9])
    values = merged[["q0.1", "q0.5", "q0.9"]].to_numpy()
    np.testing.assert_array_equal(merged["low_80"], np.round(quantile_at(values, taus, 0.1)))
    np.testing.assert_array_equal(merged["high_80"], np.round(quantile_at(values, taus, 0.9)))
    # levels and the chance of the alert level, from the risk table
    risk = run.report.risk
    assert risk is not None
    t = risk.table.assign(local_time=risk.table["timestamp"].dt.tz_convert("Europe/Amsterdam"))
    t = t.assign(local_time=t["local_time"].dt.strftime("%Y-%m-%d %H:%M"))
    both = csv.merge(t, on=["zone", "local_time"], suffixes=("", "_risk"))
    assert (both["level"] == both["level_risk"]).all()
    alert = both["zone"].map({z: s[2] for z, s in risk.schemes.items()})
    p = [row[f"p_{lv}"] for (_, row), lv in zip(both.iterrows(), alert, strict=True)]
    np.testing.assert_allclose(both["p_alert"], np.round(p, 2))


def test_the_report_shows_the_same_numbers_as_the_csv(planned: Planned) -> None:
    table = planned.run.table
    page = planned.run.html
    zone = planned.match["zone"]
    section = page[page.index(f'id="zone-{zone}"') :]
    for row in table[table["zone"] == zone].itertuples(index=False):
        cells = re.search(rf'data-time="{row.local_time}">(.*?)</tr>', section, re.S)
        assert cells is not None
        text = re.sub(r"<[^>]+>", " ", cells.group(1))
        assert f"{row.expected:,}" in text and f"{row.low_80:,}–{row.high_80:,}" in text
        assert f"{round(100 * row.p_alert)} %" in text


# ----------------------------------------------------------------------------- data freshness


def test_stale_counts_are_an_error_with_a_hint(planned: Planned) -> None:
    old = planned.match["start"] - pd.Timedelta("46D")
    with pytest.raises(DataValidationError) as err:
        plan_event(planned.city, event=planned.match["event_id"], as_of=old, model=planned.model)
    text = str(err.value)
    assert text.startswith("Stale counts: 1 problem.")
    assert "at most 168 h before the planning window" in text
    assert "counts.csv, column 'timestamp'" in text
    assert "allow_stale=True (--allow-stale)" in text and "max_data_age_h" in text


def test_stale_counts_are_a_loud_warning_when_forced(planned: Planned) -> None:
    old = planned.match["start"] - pd.Timedelta("9D")
    site = dataclasses.replace(
        planned.city.site,
        planning=dataclasses.replace(planned.city.site.planning, max_data_age_h=48),
    )
    run = plan_event(
        planned.city.replace(site=site),
        event=planned.match["event_id"],
        as_of=old,
        model=cc.GBMForecaster(lgbm_params=FAST),
        allow_stale=True,
    )
    assert run.report.stale and run.warnings[0].startswith("STALE DATA: the last count is")
    assert "the site's limit of 48 h" in run.warnings[0]
    assert 'class="warnings loud"' in run.html and '<li class="stale">STALE DATA' in run.html
    assert run.model.horizon * run.model.freq_ >= run.report.end - run.report.start


def test_a_window_before_the_last_count_is_refused_with_a_hint(planned: Planned) -> None:
    with pytest.raises(ParameterError, match=r"The window is in the past(.|\n)*--as-of"):
        plan_event(planned.city, event=planned.match["event_id"], model=planned.model)


# ----------------------------------------------------------------------------- the model


def test_the_horizon_follows_the_window_in_hours_on_15_minute_counts() -> None:
    sim = cc.make_city(
        zones=["stadium_plaza", "station_square"], start="2024-09-01", end="2024-11-20",
        freq="15min",
    )  # fmt: skip
    city = cc.City.from_tables(
        sim.counts, events=sim.events, weather=sim.weather, site=sim.site,
        purpose="event_planning",
    )  # fmt: skip
    match = city.events.query("category == 'football'").sort_values("start").iloc[-1]
    as_of = (match["start"] - pd.Timedelta("30h")).floor("h")
    run = plan_event(city, event=match["event_id"], as_of=as_of,
                     model=cc.GBMForecaster(lgbm_params=FAST))  # fmt: skip
    hours = (run.report.end - as_of) / pd.Timedelta("1h")
    assert run.fitted and run.model.horizon == hours * 4  # intervals of 15 min
    assert len(run.table) == 2 * (run.report.end - run.report.start) / pd.Timedelta("15min")


def test_a_saved_model_too_short_for_the_window_is_refused(
    planned: Planned, tmp_path: Path
) -> None:
    short = tmp_path / "short.ccm"
    cut = planned.city.replace(
        counts=planned.city.counts[planned.city.counts["timestamp"] < planned.as_of]
    )
    cc.save_model(cc.GBMForecaster(horizon=24, lgbm_params=FAST).fit(cut), short)
    with pytest.raises(ParameterError) as err:
        plan_event(planned.city, event=planned.match["event_id"], as_of=planned.as_of, model=short)
    text = str(err.value)
    assert "the model's horizon must be at least" in text and "Got 24 intervals (24 h)" in text
    assert "leave out --model, or name a file that does not exist yet" in text


def test_a_saved_model_is_loaded_and_not_refitted(planned: Planned) -> None:
    run = plan_event(
        planned.city, event=planned.match["event_id"], as_of=planned.as_of,
        model=planned.model_path,
    )  # fmt: skip
    assert not run.fitted and run.model_path == planned.model_path
    assert run.model.provenance_ == planned.model.provenance_
    assert run.warnings == ()  # the calendar's attendance is within the range seen


# ----------------------------------------------------------------------------- other warnings


def test_zones_without_area_get_no_levels_and_say_so(planned: Planned) -> None:
    site = planned.city.site
    zones = tuple(
        dataclasses.replace(z, area_m2=None) if z.id == "museum_quarter" else z for z in site.zones
    )
    city = planned.city.replace(site=dataclasses.replace(site, zones=zones))
    run = plan_event(city, event=planned.match["event_id"], as_of=planned.as_of,
                     model=planned.model)  # fmt: skip
    assert run.report.risk is not None and "museum_quarter" not in run.report.risk.schemes
    assert any(w.startswith("No density levels for Museumkwartier") for w in run.warnings)
    rows = run.table[run.table["zone"] == "museum_quarter"]
    assert rows["level"].isna().all() and rows["p_alert"].isna().all()


def test_public_information_suppresses_small_values(planned: Planned) -> None:
    site = dataclasses.replace(planned.city.site, sources=())
    city = planned.city.replace(site=site, purpose="public_information")
    run = plan_event(city, event=planned.match["event_id"], as_of=planned.as_of,
                     model=planned.model)  # fmt: skip
    fc = run.report.window_rows(run.report.forecast)
    assert fc["suppressed"].any()
    small = planned.run.table["expected"] < 15
    assert small.any() and (run.table.loc[small.to_numpy(), "expected"] == 0).all()
    assert any("values below 15 people per hour are shown as 0" in w for w in run.warnings)


def test_an_unknown_language_or_event_is_refused(planned: Planned) -> None:
    with pytest.raises(ParameterError, match="`language` must be one of en"):
        plan_event(planned.city, event=planned.match["event_id"], language="xx")
    with pytest.raises(ParameterError, match="events after the last count: "):
        plan_event(planned.city, event="no-such-event", as_of=planned.as_of)


def test_a_translation_is_one_file_and_falls_back_to_english(
    planned: Planned, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from crowdcast.report import _words, render_plan

    (tmp_path / "en.toml").write_text((_words.LOCALES / "en.toml").read_text("utf-8"), "utf-8")
    (tmp_path / "nl.toml").write_text(
        '[text]\nalerts = "Alarmen"\nhour_by_hour = "Uur voor uur"\n'
        '[format]\nthousands = "."\ndecimal = ","\n'
        'days = ["ma", "di", "wo", "do", "vr", "za", "zo"]\n',
        "utf-8",
    )
    monkeypatch.setattr(_words, "LOCALES", tmp_path)
    _words.load_words.cache_clear()
    try:
        page = render_plan(planned.run.report, language="nl")
    finally:
        _words.load_words.cache_clear()
    assert '<html lang="nl">' in page and "<h2>Alarmen</h2>" in page
    assert "<strong>Uur voor uur</strong>" in page and "Zone by zone" in page  # fallback
    peak = int(planned.run.table["expected"].max())
    assert f"{peak:,}".replace(",", ".") in page and "za 14 Dec" in page
