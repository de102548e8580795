"""Indicator hazards: lifts from signals, library × site weights, kept apart."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from _risk_site import SITE, make_site
from crowdcast.exceptions import ConfigError, DataValidationError, ParameterError
from crowdcast.profiles import DEFAULT_LIBRARY_PATH, load_indicator_library, load_site_profile
from crowdcast.risk import indicator_lift, resolve_weight

LIB = load_indicator_library()


def signals(rows: list[tuple[str, str, float]], unit: str = "L") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "timestamp": [pd.Timestamp(t, tz="UTC") for t, _, _ in rows],
            "location": [loc for _, loc, _ in rows],
            "signal": "alcohol_litres_sold",
            "value": [v for _, _, v in rows],
            "unit": unit,
        }
    )


# June: local = UTC + 2 h
NIGHT = [
    ("2024-06-07 20:00", "bar_a", 30.0),
    ("2024-06-07 20:00", "bar_b", 10.0),
    ("2024-06-07 20:00", "bar_c", 8.0),
    ("2024-06-07 20:00", "shop", 99.0),  # not licensed: out of scope
    ("2024-06-07 21:00", "bar_a", 20.0),  # bar_b closed: 0 L
]


def lift_at(table: pd.DataFrame, zone: str, t: str) -> pd.Series:
    row = table[(table["zone"] == zone) & (table["timestamp"] == pd.Timestamp(t, tz="UTC"))]
    assert len(row) == 1
    return row.iloc[0]


def test_lift_is_the_generic_effect_to_the_mean_litres_of_the_zones_venues(tmp_path: Path) -> None:
    table = indicator_lift(signals(NIGHT), make_site(tmp_path), LIB)
    street = lift_at(table, "street", "2024-06-07 20:00")
    assert street["exposure_alcohol_aggression"] == 20.0  # (30 + 10) / 2 venues
    assert street["lift"] == pytest.approx(1.01**20)
    assert street["contributing"] == "alcohol_aggression"
    closed = lift_at(table, "street", "2024-06-07 21:00")
    assert closed["exposure_alcohol_aggression"] == 10.0  # a venue without a row sold 0 L
    square = lift_at(table, "square", "2024-06-07 20:00")
    assert square["exposure_alcohol_aggression"] == 8.0  # only the licensed bar, not the shop
    lane = lift_at(table, "lane", "2024-06-07 20:00")
    assert (lane["lift"], lane["contributing"]) == (1.0, "")
    assert list(table.columns) == [
        "zone", "timestamp", "exposure_alcohol_aggression", "lift_alcohol_aggression",
        "lift", "contributing",
    ]  # fmt: skip


def test_the_window_is_local_time_and_wraps_midnight(tmp_path: Path) -> None:
    stamps = ["2024-06-07 15:00", "2024-06-07 16:00", "2024-06-08 03:00", "2024-06-08 04:00"]
    sig = signals([(t, "bar_a", 10.0) for t in stamps])
    table = indicator_lift(sig, make_site(tmp_path), LIB, timestamps=pd.DatetimeIndex(
        [pd.Timestamp(t, tz="UTC") for t in stamps]))  # fmt: skip
    street = table[table["zone"] == "street"]
    # 17:00 local out, 18:00 in, 05:00 in, 06:00 out
    assert street["exposure_alcohol_aggression"].tolist() == [0.0, 5.0, 5.0, 0.0]


def test_same_library_with_two_site_profiles_gives_different_lifts(tmp_path: Path) -> None:
    believed = make_site(tmp_path, name="a.toml")
    calibrated = make_site(
        tmp_path,
        '\n[[weights]]\nindicator = "alcohol_aggression"\ntarget = "site"\nvalue = 2.0\n',
        name="b.toml",
    )
    a = indicator_lift(signals(NIGHT), believed, LIB)
    b = indicator_lift(signals(NIGHT), calibrated, LIB)
    assert lift_at(a, "street", "2024-06-07 20:00")["lift"] == pytest.approx(1.01**20)
    assert lift_at(b, "street", "2024-06-07 20:00")["lift"] == pytest.approx(1.01**40)
    np.testing.assert_allclose(b["lift"], a["lift"] ** 2)
    # the exposure (the data) is the same: only the local weight differs
    assert a["exposure_alcohol_aggression"].equals(b["exposure_alcohol_aggression"])


def test_venue_weights_beat_zone_weights_beat_the_site_weight(tmp_path: Path) -> None:
    weights = "".join(
        f'\n[[weights]]\nindicator = "alcohol_aggression"\ntarget = "{t}"\nvalue = {v}\n'
        for t, v in (("site", 0.5), ("zone:street", 2.0), ("venue:bar_a", 3.0))
    )
    site = make_site(tmp_path, weights)
    assert resolve_weight(site, "alcohol_aggression", "street", "bar_a") == 3.0
    assert resolve_weight(site, "alcohol_aggression", "street", "bar_b") == 2.0
    assert resolve_weight(site, "alcohol_aggression", "square", "bar_c") == 0.5
    assert resolve_weight(site, "other", "square") == 1.0
    street = lift_at(indicator_lift(signals(NIGHT), site, LIB), "street", "2024-06-07 20:00")
    assert street["lift"] == pytest.approx(1.01 ** ((3.0 * 30 + 2.0 * 10) / 2))


def test_the_library_holds_no_zone_or_venue_id_so_renaming_them_changes_nothing(
    tmp_path: Path,
) -> None:
    site = make_site(tmp_path, name="a.toml")
    library_text = DEFAULT_LIBRARY_PATH.read_text(encoding="utf-8")
    ids = list(site.zone_ids) + [v.id for v in site.venues]
    assert not [i for i in ids if i in library_text]
    renamed_text = SITE
    for old in sorted(ids, key=len, reverse=True):
        renamed_text = renamed_text.replace(f'"{old}"', f'"x_{old}"')
    (tmp_path / "b.toml").write_text(renamed_text, encoding="utf-8")
    renamed = load_site_profile(tmp_path / "b.toml")
    sig = signals(NIGHT).assign(location=lambda d: "x_" + d["location"])
    a = indicator_lift(signals(NIGHT), site, LIB)
    b = indicator_lift(sig, renamed, LIB)
    np.testing.assert_allclose(
        a.set_index(["zone", "timestamp"])["lift"].to_numpy(),
        b.assign(zone=b["zone"].str[2:]).set_index(["zone", "timestamp"])["lift"]
        .reindex(a.set_index(["zone", "timestamp"]).index).to_numpy(),
    )  # fmt: skip


# ----------------------------------------------------------------------------- bad input


def test_signals_in_wrong_units_are_refused(tmp_path: Path) -> None:
    with pytest.raises(DataValidationError) as exc:
        indicator_lift(signals(NIGHT, unit="ml"), make_site(tmp_path), LIB)
    assert str(exc.value) == (
        "Signals in wrong units: 1 problem.\n"
        "- `unit` of signal 'alcohol_litres_sold' must be 'L', the unit of indicator "
        "'alcohol_aggression'. Got ['ml'].\n"
        "    where: column 'unit', rows 0, 1, 2, 3, 4\n"
        "    hint: convert the values to L before scoring"
    )


def test_an_unknown_indicator_id_names_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as exc:
        indicator_lift(signals(NIGHT), make_site(tmp_path), LIB, indicator="beer_fights")
    assert str(exc.value) == (
        "Invalid data: 1 problem.\n"
        "- `indicator_id` must be an indicator of library 'crowdcast-generic' "
        "(crowding_density, crowding_fruin_walkway, crowding_fruin_queuing, crowding_fruin_flow, "
        "distancing, alcohol_aggression, relative_busyness). Got 'beer_fights'."
    )


def test_a_level_indicator_is_not_scored_as_a_lift(tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match="must be a relative_lift indicator"):
        indicator_lift(signals(NIGHT), make_site(tmp_path), LIB, indicator="crowding_density")


def test_the_indicator_argument_is_an_id_or_a_non_empty_list_of_ids(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    for bad in ([], 7, [None]):
        with pytest.raises(ParameterError) as exc:
            indicator_lift(signals(NIGHT), site, LIB, indicator=bad)  # type: ignore[arg-type]
        assert str(exc.value) == (
            "Invalid data: 1 problem.\n- `indicator` must be an indicator id or a non-empty "
            f"list of indicator ids. Got {bad!r}."
        )  # [] was an IndexError


def test_every_unusable_indicator_is_named_at_once(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as exc:
        indicator_lift(
            signals(NIGHT), make_site(tmp_path), LIB, indicator=["beer_fights", "crowding_density"]
        )
    text = str(exc.value)
    assert text.startswith("Invalid data: 2 problems.\n- `indicator_id` must be an indicator")
    assert "- `indicator` must be a relative_lift indicator (scored from signals)" in text


def test_signals_without_the_indicators_signal_are_refused(tmp_path: Path) -> None:
    sig = signals(NIGHT).assign(signal="coffee_cups")
    with pytest.raises(DataValidationError, match="rows of signal 'alcohol_litres_sold'"):
        indicator_lift(sig, make_site(tmp_path), LIB)


def test_a_weight_for_an_unknown_zone_or_venue_is_refused_by_the_profile(tmp_path: Path) -> None:
    weights = "".join(
        f'\n[[weights]]\nindicator = "alcohol_aggression"\ntarget = "{t}"\nvalue = 1.2\n'
        for t in ("zone:nowhere", "venue:ghost_bar")
    )
    with pytest.raises(ConfigError) as exc:
        make_site(tmp_path, weights)
    assert "Invalid site profile: 2 problems." in str(exc.value)
    assert "`weights[0].target` must be 'site', 'zone:<id>' or 'venue:<id>' of this profile. " \
        "Got 'zone:nowhere'." in str(exc.value)  # fmt: skip
    assert "Got 'venue:ghost_bar'." in str(exc.value)
