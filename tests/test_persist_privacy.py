"""A saved model keeps what prediction needs and nothing confidential (weights, venues)."""

from __future__ import annotations

import dataclasses
import io
import pickle
import struct
from pathlib import Path
from typing import Any

import joblib
import pandas as pd
import pytest

import crowdcast as cc
from crowdcast.exceptions import ParameterError
from crowdcast.models import BaseForecaster
from crowdcast.profiles import DataSource, IndicatorWeight, SiteProfile, Venue
from crowdcast.risk import export_weights, resolve_weight

SECRET_NOTE = "GLM on 57 incidents behind Club Kade 7"


@pytest.fixture(scope="module")
def city() -> cc.City:
    """The sample city, five weeks, with a site weight and a venue weight in its profile."""
    sample = cc.load_sample()
    weights = (
        IndicatorWeight(
            "alcohol_aggression", "site", 1.6180339, "calibrated", (0.9, 2.3), SECRET_NOTE
        ),
        IndicatorWeight("alcohol_aggression", "venue:club_kade_7", 2.7182818, "expert"),
    )
    end = sample.counts["timestamp"].max()
    counts = sample.counts[sample.counts["timestamp"] > end - pd.Timedelta(days=35)]
    return sample.replace(counts=counts, site=dataclasses.replace(sample.site, weights=weights))


class _Recorder(pickle.Pickler):
    """Pickles to nowhere, noting every object type it meets (all but plain containers)."""

    def __init__(self) -> None:
        super().__init__(io.BytesIO(), protocol=pickle.HIGHEST_PROTOCOL)
        self.types: set[type] = set()
        self.sites: list[SiteProfile] = []

    def reducer_override(self, obj: Any) -> Any:
        self.types.add(type(obj))
        if isinstance(obj, SiteProfile):
            self.sites.append(obj)
        return NotImplemented


def _secrets(site: SiteProfile) -> list[bytes]:
    """Byte strings that would give the confidential parts of the profile away."""
    out = [SECRET_NOTE.encode()]
    for w in site.weights:
        out += [struct.pack(">d", w.value), struct.pack("<d", w.value)]
        out += [w.target.encode()] if w.target != "site" else []
    for v in site.venues:
        out += [v.id.encode(), v.name.encode()]
        out += [struct.pack(f"{e}d", c) for c in (v.lat, v.lon) if c is not None for e in "<>"]
    for z in site.zones:
        out += [struct.pack(f"{e}d", c) for c in (z.lat, z.lon) if c is not None for e in "<>"]
    out += [str(s.path).encode() for s in site.sources]
    return out


MODELS = {
    "gbm": lambda: cc.GBMForecaster(horizon=6, lgbm_params={"n_estimators": 20}),
    "profile": lambda: cc.ProfileRatio(horizon=6, weeks=4),
}


@pytest.mark.parametrize("name", list(MODELS))
def test_a_saved_model_holds_no_weight_venue_source_or_coordinate(
    city: cc.City, tmp_path: Path, name: str
) -> None:
    model = MODELS[name]().fit(city)
    path = cc.save_model(model, tmp_path / "m.ccm")
    loaded = cc.load_model(path)
    recorder = _Recorder()
    recorder.dump(loaded)
    assert not recorder.types & {IndicatorWeight, Venue, DataSource}
    assert all(s.weights == () and s.venues == () and s.sources == () for s in recorder.sites)
    assert all(s.path is None and s.redacted for s in recorder.sites)
    assert all(z.lat is None and z.lon is None for s in recorder.sites for z in s.zones)
    plain = pickle.dumps(loaded, protocol=pickle.HIGHEST_PROTOCOL)
    header = path.read_bytes().split(b"\n", 2)[1]
    leaked = [s for s in _secrets(city.site) if s in plain or s in header]
    assert leaked == []
    # what prediction needs is still there: zones and their statics
    assert loaded.site_.zone_ids == city.site.zone_ids
    assert [z.area_m2 for z in loaded.site_.zones] == [z.area_m2 for z in city.site.zones]


def test_a_loaded_model_predicts_assesses_and_plays_scenarios_with_the_profile_given(
    city: cc.City, tmp_path: Path
) -> None:
    model = MODELS["gbm"]().fit(city)
    loaded = cc.load_model(cc.save_model(model, tmp_path / "m.ccm"))
    pd.testing.assert_frame_equal(loaded.predict(), model.predict())
    fc = loaded.predict(city)  # the City carries the full site profile
    pd.testing.assert_frame_equal(fc, model.predict(city))
    risk = cc.assess(fc, city.site)
    assert set(risk.table["zone"]) == set(city.site.zone_ids) and len(risk.table) == len(fc)
    match = city.events.sort_values("start").iloc[-1]
    changes = [cc.SetAttendance(match["event_id"], 2 * float(match["expected_attendance"]))]
    origin = fc["origin"].iloc[0]
    with pytest.warns(cc.exceptions.ExtrapolationWarning):  # twice any seen: said, not hidden
        loaded_what_if = cc.what_if(loaded, changes, origin=origin, data=city)
    with pytest.warns(cc.exceptions.ExtrapolationWarning):
        fitted_what_if = cc.what_if(model, changes, origin=origin, data=city)
    pd.testing.assert_frame_equal(loaded_what_if, fitted_what_if)
    lift = cc.indicator_lift(city.signals, city.site, city.library)
    assert lift["lift"].max() > 1.0  # the weights come from the profile given


def test_the_view_a_model_keeps_is_refused_where_weights_are_needed(city: cc.City) -> None:
    view = MODELS["profile"]().fit(city).site_
    with pytest.raises(ParameterError) as info:
        cc.indicator_lift(city.signals, view, city.library)
    text = str(info.value)
    assert "the site profile for indicator_lift must be the site profile itself" in text
    assert "hint: a saved model holds no confidential data: pass the profile" in text
    with pytest.raises(ParameterError, match="the site profile for calibrate"):
        cc.calibrate(city.incidents, city.signals, view, city.library)
    with pytest.raises(ParameterError, match="the site profile for a weight"):
        resolve_weight(view, "alcohol_aggression", "nightlife_street")
    with pytest.raises(ParameterError, match="the site profile for export_weights"):
        export_weights(view, "never.toml")
    assert not Path("never.toml").exists()


def test_the_models_view_keeps_the_calendar_and_zone_statics(city: cc.City) -> None:
    model: BaseForecaster = MODELS["profile"]().fit(city)
    view, site = model.site_, city.site
    assert (view.id, view.timezone, view.country, view.closed_days) == (
        site.id, site.timezone, site.country, site.closed_days
    )  # fmt: skip
    keep = ("id", "name", "measure", "area_m2", "width_m", "capacity", "tags", "neighbours")
    assert [[getattr(z, k) for k in keep] for z in view.zones] == [
        [getattr(z, k) for k in keep] for z in site.zones
    ]


def test_a_model_saved_with_its_whole_profile_loses_it_on_load(
    city: cc.City, tmp_path: Path
) -> None:
    old = MODELS["profile"]().fit(city)
    old.site_ = city.site  # as crowdcast saved models before they kept only the view
    loaded = cc.load_model(cc.save_model(old, tmp_path / "old.ccm"))
    assert loaded.site_ == city.site.for_model() and loaded.site_.weights == ()
    payload = cc.save_model(loaded, tmp_path / "again.ccm").read_bytes().split(b"\n", 2)[2]
    raw = joblib.load(io.BytesIO(payload))  # the file as saved, not redacted by load_model
    assert SECRET_NOTE.encode() not in pickle.dumps(raw) and raw.site_.redacted
