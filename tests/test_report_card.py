"""The model card documents a fitted model for publication, without the site weights."""

from __future__ import annotations

import json

import pytest

import crowdcast as cc
from crowdcast.exceptions import NotFittedError
from crowdcast.report import model_card


@pytest.fixture(scope="module")
def city() -> cc.City:
    return cc.load_sample()


@pytest.fixture(scope="module")
def model(city: cc.City) -> cc.ProfileRatio:
    return cc.ProfileRatio(horizon=6).fit(
        city.counts,
        events=city.events,
        weather=city.weather,
        site=city.site,
        purpose="crowd_safety",
    )


def test_the_card_holds_purpose_sources_indicators_metrics_and_provenance(
    city: cc.City, model: cc.ProfileRatio
) -> None:
    metrics = {"ProfileRatio": {"MAE": 133.0}, "SeasonalNaive": {"MAE": 171.2}}
    card = model_card(model, city=city, metrics=metrics)
    assert card.purpose == "crowd_safety"
    assert [s["id"] for s in card.sources] == [
        "counts",
        "events",
        "weather_observed",
        "weather_forecasts",
    ]
    counts = card.sources[0]
    assert counts["period"] == "2023-01-01 to 2024-12-31"
    assert counts["aggregation"] == "people per zone and 1 h"
    assert counts["purposes"] == ["crowd_safety", "event_planning", "operations"]
    assert [i["id"] for i in card.indicators] == ["alcohol_aggression"]
    assert card.metrics["SeasonalNaive"] == {"MAE": 171.2}
    text = card.to_markdown()
    assert text.startswith("# Model card: ProfileRatio for havenstad\n\n**Purpose:** crowd_safety")
    for heading in (
        "## Data sources",
        "## Generic indicators",
        "## Zones",
        "## Metrics",
        "## Known limitations",
        "## Provenance",
    ):
        assert heading in text
    assert "| SeasonalNaive | 171.2 |" in text
    assert json.loads(card.to_json())["provenance"]["purpose"] == "crowd_safety"


def test_site_weights_are_left_out_unless_asked(city: cc.City, model: cc.ProfileRatio) -> None:
    card = model_card(model, city=city)
    assert card.weights is None
    assert "weights" not in card.to_markdown().lower()
    assert json.loads(card.to_json())["weights"] is None
    with_weights = model_card(model, city=city, include_weights=True)
    assert with_weights.weights == (
        {"indicator": "alcohol_aggression", "target": "site", "value": 1.0, "source": "expert"},
    )
    assert "## Site weights (confidential)" in with_weights.to_markdown()


def test_counts_shown_in_the_card_are_suppressed(city: cc.City, model: cc.ProfileRatio) -> None:
    card = model_card(model, city=city)
    for zone in card.zones:
        for key in ("typical", "peak"):
            assert zone[key] == 0 or zone[key] >= 15
    stadium = next(z for z in card.zones if z["zone"] == "stadium_plaza")
    assert stadium["typical"] >= 15 or stadium["typical"] == 0


def test_a_card_needs_a_fitted_model() -> None:
    with pytest.raises(NotFittedError, match="a model card describes a fit"):
        model_card(cc.SeasonalNaive())
