"""Calibration of a site weight on incidents; the result goes into a NEW site profile."""

from __future__ import annotations

import dataclasses
import stat
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import crowdcast as cc
from crowdcast.exceptions import ConfigError, DataValidationError, ParameterError
from crowdcast.io import City
from crowdcast.profiles import DEFAULT_LIBRARY_PATH, IndicatorWeight, save_site_profile
from crowdcast.risk import Calibration, calibrate, indicator_lift

TRUE_WEIGHT = 1.6  # data/sample/README.md


@pytest.fixture(scope="module")
def city() -> City:
    return cc.load_sample()


@pytest.fixture(scope="module")
def calibration(city: City) -> Calibration:
    return calibrate(city.incidents, city.signals, city.site, city.library)


def test_calibration_recovers_the_true_weight_of_the_sample_city(calibration: Calibration) -> None:
    c = calibration
    assert c.ci_low < TRUE_WEIGHT < c.ci_high
    assert (round(c.weight, 2), round(c.ci_low, 2), round(c.ci_high, 2)) == (1.37, 0.86, 1.88)
    assert (c.indicator, c.target, c.effect, c.unit, c.hazard) == (
        "alcohol_aggression", "site", 0.01, "L", "aggression"
    )  # fmt: skip
    assert (c.n, c.incidents, c.baseline_cells) == (6997, 706, 67)
    assert 0.9 < c.dispersion < 1.1  # the Poisson model fits: no over-dispersion per hour
    assert 0.9 < c.night_dispersion < 1.1 and c.nights == 732  # nor clustering by night
    assert (c.method, c.evidence) == ("night", "raises")
    assert c.deviance > 0 and c.df_resid == c.n - c.baseline_cells - 1


def test_calibration_describe_reads_as_plain_language(calibration: Calibration) -> None:
    assert calibration.describe().startswith(
        "Each litre sold raises aggression risk by 1.4 % here, 1.37 times the generic 1 % per L; "
        "95 % interval 0.9 % to 1.9 % (weight 0.86 to 1.88)."
    )


def test_calibration_summary_is_a_one_row_table_as_on_the_other_results(
    calibration: Calibration,
) -> None:
    c = calibration
    summary = c.summary()
    assert isinstance(summary, pd.DataFrame) and len(summary) == 1
    row = summary.iloc[0]
    assert (row["indicator"], row["hazard"], row["target"], row["unit"]) == (
        "alcohol_aggression", "aggression", "site", "L"
    )  # fmt: skip
    assert (row["weight"], row["ci_low"], row["ci_high"]) == (c.weight, c.ci_low, c.ci_high)
    assert round(row["change"], 4) == 0.0137  # +1.4 % per litre, as describe() says
    assert row["change_low"] < row["change"] < row["change_high"]
    assert (row["n"], row["incidents"], row["baseline_cells"]) == (6997, 706, 67)
    assert row["dispersion"] == c.dispersion
    assert (row["evidence"], row["nights"], row["method"]) == ("raises", 732, "night")
    assert (row["night_dispersion"], row["variance_inflation"]) == (
        c.night_dispersion, c.variance_inflation
    )  # fmt: skip
    assert (row["start"], row["end"]) == c.span


def test_exposure_follows_the_simulators_definition(city: City) -> None:
    lift = indicator_lift(city.signals, city.site, city.library)
    street = lift[lift["zone"] == "nightlife_street"]
    hour = street["timestamp"].dt.tz_convert(city.site.timezone).dt.hour
    x = street.loc[(hour >= 18) | (hour < 6), "exposure_alcohol_aggression"]
    assert (round(x.mean(), 1), round(x.max(), 1)) == (11.5, 128.3)  # data/sample/README.md
    assert (street.loc[(hour >= 6) & (hour < 18), "lift"] == 1.0).all()


def test_to_weight_carries_the_interval_and_provenance(calibration: Calibration) -> None:
    w = calibration.to_weight()
    assert (w.indicator, w.target, w.source) == ("alcohol_aggression", "site", "calibrated")
    assert w.value == round(calibration.weight, 4)
    assert w.interval == (round(calibration.ci_low, 4), round(calibration.ci_high, 4))
    assert w.note.startswith(
        "Poisson GEE by night on 706 incidents in 6997 zone-hours over 732 nights 2023-01-01 to "
    )
    assert calibration.to_weight("zone:nightlife_street").target == "zone:nightlife_street"


def test_a_new_site_profile_gets_the_weight_and_nothing_else_changes(
    city: City, calibration: Calibration, tmp_path: Path
) -> None:
    library_before = DEFAULT_LIBRARY_PATH.read_bytes()
    assert city.site.path is not None
    site_before = city.site.path.read_bytes()
    out = tmp_path / "profiles" / "havenstad.toml"
    new = save_site_profile(city.site, out, calibration.to_weight())
    assert stat.S_IMODE(out.stat().st_mode) == 0o600  # it holds the confidential weights
    assert new.path == out.resolve()
    assert new.weight("alcohol_aggression") == round(calibration.weight, 4)
    assert [w.source for w in new.weights] == ["calibrated"]
    assert new.weights[0].interval == calibration.to_weight().interval
    assert all(s.path.exists() for s in new.sources)  # paths rewritten relative to the new file
    assert dataclasses.replace(new, weights=(), path=None, sources=()) == dataclasses.replace(
        city.site, weights=(), path=None, sources=()
    )
    assert DEFAULT_LIBRARY_PATH.read_bytes() == library_before
    assert city.site.path.read_bytes() == site_before
    written = out.read_bytes()
    with pytest.raises(ParameterError, match="Refusing to overwrite a file: 1 problem"):
        save_site_profile(city.site, out, calibration.to_weight())
    assert out.read_bytes() == written
    save_site_profile(city.site, out, calibration.to_weight(), overwrite=True)


# ----------------------------------------------------------------------------- bad input


def test_incidents_outside_the_span_of_the_signals_are_refused(city: City) -> None:
    late = pd.DataFrame(
        {
            "timestamp": [pd.Timestamp("2025-03-01 22:00", tz="UTC")],
            "zone": ["nightlife_street"],
            "kind": ["aggression"],
            "count": [1],
        },
        index=[900],
    )
    incidents = pd.concat([city.incidents.head(3), late])
    with pytest.raises(DataValidationError) as exc:
        calibrate(incidents, city.signals, city.site, city.library)
    assert str(exc.value) == (
        "Incidents outside the data span: 1 problem.\n"
        "- `incidents` must be inside the span of the signals "
        "(2023-01-01 00:00:00+00:00 to 2024-12-31 23:00:00+00:00). "
        "Got 1 incident row(s) outside, e.g. 2025-03-01 22:00:00+00:00.\n"
        "    where: column 'timestamp', rows 900\n"
        "    hint: trim the incidents to the hours the signals cover"
    )


def test_calibration_needs_incidents_of_the_hazard_and_a_zone_in_scope(city: City) -> None:
    with pytest.raises(DataValidationError, match="must be incidents of kind 'aggression'"):
        calibrate(city.incidents.assign(kind="theft"), city.signals, city.site, city.library)
    with pytest.raises(ParameterError, match="`zone` must be a zone with venues in the scope"):
        calibrate(city.incidents, city.signals, city.site, city.library, zone="station_square")
    with pytest.raises(ConfigError, match="`indicator_id` must be an indicator of library"):
        calibrate(city.incidents, city.signals, city.site, city.library, indicator="nope")


def test_a_weight_for_an_unknown_zone_is_not_written(city: City, tmp_path: Path) -> None:
    w = IndicatorWeight("alcohol_aggression", "zone:nowhere", 1.4, source="calibrated")
    with pytest.raises(ConfigError) as exc:
        save_site_profile(city.site, tmp_path / "x.toml", w)
    assert str(exc.value) == (
        "Invalid weights: 1 problem.\n"
        "- the target of weight 'alcohol_aggression' must be 'site', 'zone:<id>' or "
        "'venue:<id>' of this profile. Got 'zone:nowhere'.\n"
        "    hint: weights may only name zones and venues defined in the site profile"
    )
    assert not (tmp_path / "x.toml").exists()


def test_calibrating_one_zone_of_synthetic_nights_recovers_its_weight(tmp_path: Path) -> None:
    from _risk_site import make_site

    site = make_site(tmp_path)
    rng = np.random.default_rng(3)
    hours = pd.date_range("2024-01-01", periods=24 * 7 * 8, freq="h", tz="UTC")
    litres = rng.gamma(2.0, 20.0, size=(len(hours), 2))
    sig = pd.concat(
        pd.DataFrame({"timestamp": hours, "location": v, "signal": "alcohol_litres_sold",
                      "value": litres[:, i], "unit": "L"})
        for i, v in enumerate(["bar_a", "bar_b"])
    )  # fmt: skip
    local_hour = hours.tz_convert(site.timezone).hour
    x = np.where((local_hour >= 18) | (local_hour < 6), litres.mean(axis=1), 0.0)
    rate = 0.2 * 1.01 ** (2.5 * x)
    y = rng.poisson(rate)
    inc = pd.DataFrame({"timestamp": hours, "zone": "street", "kind": "aggression", "count": y})
    c = calibrate(inc[inc["count"] > 0], sig, site, cc.load_indicator_library(), zone="street")
    assert c.ci_low < 2.5 < c.ci_high
    assert c.target == "zone:street"


def test_write_site_profile_is_the_deprecated_name_of_save_site_profile() -> None:
    import crowdcast.risk

    with pytest.warns(DeprecationWarning, match="now crowdcast.profiles.save_site_profile"):
        assert crowdcast.risk.write_site_profile is save_site_profile
