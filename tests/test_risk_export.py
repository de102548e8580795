"""Publication exports: the library and a site's levels without weights; weights only on request."""

from __future__ import annotations

import json
import stat
import tomllib
from pathlib import Path

import pytest

from _risk_site import make_site
from crowdcast.exceptions import ParameterError
from crowdcast.profiles import load_indicator_library
from crowdcast.risk import export_levels, export_library, export_weights

LIB = load_indicator_library()
WEIGHT = (
    '\n[[weights]]\nindicator = "alcohol_aggression"\ntarget = "venue:bar_a"\nvalue = 1.37\n'
    'source = "calibrated"\ninterval = [0.88, 1.87]\nnote = "GLM"\n'
)


def test_the_exported_library_reads_back_as_the_same_library(tmp_path: Path) -> None:
    again = load_indicator_library(export_library(LIB, tmp_path / "lib.toml"))
    assert again.indicators == LIB.indicators
    assert (again.id, again.version) == (LIB.id, LIB.version)
    doc = json.loads(export_library(LIB, tmp_path / "lib.json").read_text(encoding="utf-8"))
    assert [i["id"] for i in doc["indicators"]] == list(LIB.ids)
    aggression = next(i for i in doc["indicators"] if i["id"] == "alcohol_aggression")
    assert aggression["window"] == {"start": "18:00", "end": "06:00"}
    assert "Livingston" in aggression["reference"]


def test_exported_levels_hold_the_schemes_but_no_weights(tmp_path: Path) -> None:
    site = make_site(tmp_path, WEIGHT)
    path = export_levels(site, LIB, tmp_path / "levels.toml")
    text = path.read_text(encoding="utf-8")
    assert "weight" not in text and "1.37" not in text and "bar_a" not in text
    doc = tomllib.loads(text)
    assert doc["levels"]["library"] == "crowdcast-generic 2026.2"
    zones = {z["id"]: z for z in doc["zones"]}
    assert zones["square"]["levels"]["crowding"]["thresholds"] == [0.5, 2.0, 4.0]
    assert zones["square"]["levels"]["distancing"]["thresholds"] == [0.5132]
    assert zones["street"]["levels"]["crowding"]["indicator"] == "crowding_fruin_flow"
    assert set(zones["lane"]["levels"]) == {"busyness"}  # no area: relative levels only


def test_weights_are_exported_only_by_their_own_call(tmp_path: Path) -> None:
    site = make_site(tmp_path, WEIGHT)
    path = export_weights(site, tmp_path / "w.json")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # confidential: for its owner only
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["weights"] == [
        {
            "indicator": "alcohol_aggression",
            "target": "venue:bar_a",
            "value": 1.37,
            "source": "calibrated",
            "interval": [0.88, 1.87],
            "note": "GLM",
        }
    ]


def test_exports_never_overwrite_and_need_a_known_format(tmp_path: Path) -> None:
    export_library(LIB, tmp_path / "lib.toml")
    with pytest.raises(ParameterError, match="`path` must be a file that does not exist yet"):
        export_library(LIB, tmp_path / "lib.toml")
    export_library(LIB, tmp_path / "lib.toml", overwrite=True)
    with pytest.raises(ParameterError, match=r"`path` must be a .toml or .json file"):
        export_library(LIB, tmp_path / "lib.yaml")


def test_exported_levels_say_which_level_a_value_on_a_threshold_is_in(tmp_path: Path) -> None:
    doc = tomllib.loads(export_levels(make_site(tmp_path), LIB, tmp_path / "l.toml").read_text())
    zones = {z["id"]: z["levels"] for z in doc["zones"]}
    assert zones["square"]["crowding"]["inclusive"] == "lower"
    assert zones["square"]["distancing"]["inclusive"] == "upper"
    assert zones["street"]["crowding"]["inclusive"] == "upper"
    assert zones["lane"]["busyness"]["inclusive"] == "upper"
