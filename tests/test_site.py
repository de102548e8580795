"""load_city reads every declared source; the sample city loads validated with one call."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

import crowdcast as cc
from crowdcast.exceptions import ConfigError, DataValidationError


def test_load_city_reads_the_declared_counts(fixtures: Path) -> None:
    city = cc.load_city(fixtures / "profiles" / "site.toml", purpose="crowd_safety")
    assert city.freq == pd.Timedelta("1h")
    assert set(city.counts["zone"]) == {"square", "street"}
    assert city.events.empty and list(city.events.columns)[:3] == ["event_id", "name", "zone"]
    assert city.weather_observed.empty
    assert city.gaps()["intervals"].sum() == 2
    assert repr(city).startswith("<City 'testdorp': 2 zones, 2024-03-31 to 2024-03-31, every 1 h")


def _profile_with(tmp_path: Path, fixtures: Path, extra: str) -> Path:
    shutil.copy(fixtures / "counts" / "long.csv", tmp_path / "long.csv")
    text = (
        (fixtures / "profiles" / "site.toml").read_text().replace("../counts/long.csv", "long.csv")
    )
    path = tmp_path / "site.toml"
    path.write_text(text + extra)
    return path


def test_load_city_revalidates_several_sources_of_a_kind_together(
    tmp_path: Path, fixtures: Path
) -> None:
    path = _profile_with(
        tmp_path,
        fixtures,
        '\n[[sources]]\nid = "copy"\nkind = "counts"\nformat = "csv"\npath = "long.csv"\n'
        'purposes = ["crowd_safety"]\n',
    )
    with pytest.raises(DataValidationError) as info:
        cc.load_city(path, purpose="crowd_safety")
    assert "where: sources cameras + copy, column 'zone, timestamp'" in str(info.value)


def test_load_city_names_unknown_reader_options(tmp_path: Path, fixtures: Path) -> None:
    path = _profile_with(tmp_path, fixtures, "")
    path.write_text(
        path.read_text().replace(
            'purposes = ["crowd_safety", "event_planning"]',
            'purposes = ["crowd_safety"]\noptions = { delimiter = ";" }',
        )
    )
    with pytest.raises(ConfigError) as info:
        cc.load_city(path, purpose="crowd_safety")
    assert "`sources.options` of 'cameras' must be options of the counts/csv reader." in str(
        info.value
    )


def test_load_sample_gives_validated_tables_and_both_profiles() -> None:
    city = cc.load_sample()
    assert city.site.id == "havenstad"
    assert city.library.id == "crowdcast-generic"
    assert len(city.site.zones) >= 6
    assert city.freq == pd.Timedelta("1h")
    first, last = city.span
    assert (last - first) >= pd.Timedelta(days=729)
    for table in (city.counts, city.events, city.weather, city.signals, city.incidents):
        assert len(table) > 0
    assert set(city.counts["zone"]) == set(city.site.zone_ids)
    assert (city.events["status"] == "cancelled").any()
    assert city.weather_forecasts["issued_at"].notna().all()
    assert city.counts["count"].isna().any()  # outages are kept as missing
    summary = city.summary()
    assert summary["zone"].tolist() == list(city.site.zone_ids)
    assert {"measure", "missing_pct", "gaps", "median", "p99", "events"} <= set(summary.columns)
    assert "<table" in city._repr_html_()


def test_sample_profile_declares_purposes_for_every_source() -> None:
    site = cc.load_site_profile(cc.sample_path() / "site.toml")
    assert site.sources and all(s.purposes for s in site.sources)
    assert {s.kind for s in site.sources} == {"counts", "events", "weather", "signals", "incidents"}


def test_library_text_names_no_sample_zone_or_venue() -> None:
    site = cc.load_site_profile(cc.sample_path() / "site.toml")
    text = cc.load_indicator_library().path.read_text()  # type: ignore[union-attr]
    for ident in [*site.zone_ids, *(v.id for v in site.venues)]:
        assert ident not in text
