"""Model card: what a fitted forecaster is, for whom, on which data, and how good it is.

Publishable by design: it names the purpose, the data sources (kind, format,
period, aggregation level, declared purposes), the features, the generic
indicators the site applies (with their library definitions), metrics next to
baselines, known limitations and the provenance. The confidential site weights
are left out unless ``include_weights=True``; every count it shows passes
egress suppression.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from crowdcast._city import City
from crowdcast._validation import check_is_fitted
from crowdcast.models import BaseForecaster
from crowdcast.privacy import suppress, suppression_threshold
from crowdcast.profiles import PURPOSES, IndicatorLibrary, SiteProfile
from crowdcast.schemas import interval_text

__all__ = ["ModelCard", "model_card"]

_AGGREGATION = {
    "counts": "people per zone and {freq}",
    "events": "one row per event and zone",
    "weather": "per hour (observations and issued forecasts)",
    "signals": "per venue and interval",
    "incidents": "per zone, interval and kind",
}
_TIME_COLUMN = {
    "counts": "timestamp",
    "events": "start",
    "weather": "timestamp",
    "signals": "timestamp",
    "incidents": "timestamp",
}


@dataclass(frozen=True)
class ModelCard:
    """A fitted model described for publication; render with :meth:`to_markdown`."""

    model: str
    purpose: str | None
    site: str | None
    sources: tuple[dict[str, Any], ...]
    features: tuple[str, ...]
    indicators: tuple[dict[str, Any], ...]
    zones: tuple[dict[str, Any], ...]
    metrics: dict[str, dict[str, float]]
    limitations: tuple[str, ...]
    provenance: dict[str, Any]
    suppression: dict[str, Any]
    weights: tuple[dict[str, Any], ...] | None = field(default=None)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self, *, indent: int = 2) -> str:
        """The card as JSON (site weights only when the card was made with them)."""
        return json.dumps(self.to_dict(), indent=indent, default=str, sort_keys=False)

    def to_markdown(self) -> str:
        """The card as Markdown, ready for a README or a publication page."""
        p = self.provenance
        lines = [f"# Model card: {self.model}" + (f" for {self.site}" if self.site else ""), ""]
        purpose = self.purpose or "not declared"
        lines += [f"**Purpose:** {purpose}" + _purpose_text(self.purpose), ""]
        lines += [
            f"**Trained on** {p.get('training_start')} to {p.get('training_end')} "
            f"(every {interval_text(pd.Timedelta(p['freq']))}), {len(p.get('zones', ()))} zones; "
            f"crowdcast {p.get('crowdcast_version')}, fitted {p.get('fitted_at')}.",
            "",
            "## Data sources",
            "",
        ]
        lines += _md_table(
            list(self.sources),
            ["id", "kind", "format", "period", "aggregation", "purposes", "description"],
        )
        lines += ["", "## Features", "", ", ".join(f"`{f}`" for f in self.features) or "none"]
        lines += ["", "## Generic indicators", ""]
        if self.indicators:
            lines += _md_table(
                list(self.indicators), ["id", "title", "definition", "reference", "library"]
            )
        else:
            lines.append("None applied by this site.")
        if self.zones:
            lines += [
                "",
                "## Zones",
                "",
                f"Typical (median) and peak (99th percentile) counts per interval; values "
                f"below {self.suppression['threshold']:g} per interval are shown as 0 "
                f"(k = {self.suppression['k_per_hour']:g} per hour).",
                "",
            ]
            lines += _md_table(list(self.zones), ["zone", "measure", "typical", "peak"])
        lines += ["", "## Metrics", ""]
        if self.metrics:
            names = sorted({m for row in self.metrics.values() for m in row})
            rows = [{"model": name, **vals} for name, vals in self.metrics.items()]
            lines += _md_table(rows, ["model", *names])
        else:
            lines.append("Not measured for this card.")
        lines += ["", "## Known limitations", ""]
        lines += [f"- {text}" for text in self.limitations]
        if self.weights is not None:
            lines += ["", "## Site weights (confidential)", ""]
            lines += _md_table(list(self.weights), ["indicator", "target", "value", "source"])
        lines += ["", "## Provenance", "", "```json", json.dumps(p, indent=2, default=str), "```"]
        return "\n".join(lines) + "\n"


def _purpose_text(purpose: str | None) -> str:
    return f" ({PURPOSES[purpose]})" if purpose is not None and purpose in PURPOSES else ""


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, list | tuple):
        return ", ".join(map(str, value))
    return str(value).replace("|", "\\|").replace("\n", " ")


def _md_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> list[str]:
    out = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    out += ["| " + " | ".join(_cell(r.get(c, "")) for c in columns) + " |" for r in rows]
    return out


def _period(table: pd.DataFrame | None, kind: str) -> str:
    col = _TIME_COLUMN[kind]
    if table is None or len(table) == 0 or col not in table.columns:
        return "-"
    return f"{table[col].min():%Y-%m-%d} to {table[col].max():%Y-%m-%d}"


def _metrics(metrics: Any) -> dict[str, dict[str, float]]:
    if metrics is None:
        return {}
    if isinstance(metrics, pd.DataFrame):
        return {str(i): {str(k): float(v) for k, v in row.items()} for i, row in metrics.iterrows()}
    return {str(m): {str(k): float(v) for k, v in vals.items()} for m, vals in metrics.items()}


def model_card(
    model: BaseForecaster,
    *,
    city: City | None = None,
    metrics: pd.DataFrame | Mapping[str, Mapping[str, float]] | None = None,
    include_weights: bool = False,
) -> ModelCard:
    """Describe a fitted forecaster for publication.

    Parameters
    ----------
    model
        A fitted crowdcast forecaster (its ``provenance_`` is the source of truth).
    city
        The :class:`~crowdcast.City` it was trained on: adds sources, periods,
        zones and the generic indicators the site applies.
    metrics
        Per model (rows) and metric (columns), e.g. the forecaster next to its
        baselines: ``{"GBMForecaster": {"MAE": 90.1}, "ProfileRatio": {"MAE": 133.0}}``.
    include_weights
        Also list the site's confidential indicator weights (off by default).

    Examples
    --------
    >>> import crowdcast as cc
    >>> city = cc.make_city(zones=["station_square"], start="2024-01-01", end="2024-01-31")
    >>> card = model_card(cc.SeasonalNaive(horizon=3).fit(city.counts, purpose="crowd_safety"))
    >>> card.purpose, "weights" in card.to_markdown().lower()
    ('crowd_safety', False)
    """
    check_is_fitted(model, "provenance_", call="fit(...)", why="a model card describes a fit")
    prov = model.provenance_.to_dict()
    site = city.site if city is not None else None
    freq = pd.Timedelta(prov["freq"])
    suppression = _suppression(site, freq)
    sources: list[dict[str, Any]] = []
    zones: list[dict[str, Any]] = []
    indicators: list[dict[str, Any]] = []
    if city is not None and site is not None:
        sources = _sources(city, site, prov, freq)
        zones = _zones(city, site, freq)
        indicators = _indicators(site, city.library)
    return ModelCard(
        model=prov["model"],
        purpose=prov.get("purpose"),
        site=prov.get("site"),
        sources=tuple(sources),
        features=tuple(prov.get("features", ())),
        indicators=tuple(indicators),
        zones=tuple(zones),
        metrics=_metrics(metrics),
        limitations=tuple(_limitations(prov, suppression, measured=metrics is not None)),
        provenance=prov,
        suppression=suppression,
        weights=_weights(site) if include_weights else None,
    )


def _suppression(site: SiteProfile | None, freq: pd.Timedelta) -> dict[str, Any]:
    """The egress rule of every count the card shows: k per hour, its threshold per interval."""
    return {
        "k_per_hour": float(site.privacy.min_count_per_hour) if site is not None else 15.0,
        "threshold": suppression_threshold(site if site is not None else 15.0, freq),
        "shown_as": 0,
    }


def _sources(
    city: City, site: SiteProfile, prov: Mapping[str, Any], freq: pd.Timedelta
) -> list[dict[str, Any]]:
    """The site's data sources the fit used (and the City loaded): kind, format, period..."""
    used = {kind for kind, fp in prov.get("data_fingerprints", {}).items() if fp is not None}
    loaded = set(city.sources)
    return [
        {
            "id": src.id,
            "kind": src.kind,
            "format": src.format,
            "period": _period(getattr(city, src.kind), src.kind),
            "aggregation": _AGGREGATION[src.kind].format(freq=interval_text(freq)),
            "purposes": list(src.purposes),
            "description": src.description,
        }
        for src in site.sources
        if src.kind in used and not (loaded and src.id not in loaded)
    ]


def _zones(city: City, site: SiteProfile, freq: pd.Timedelta) -> list[dict[str, Any]]:
    """Per zone its measure and its typical (median) and peak (P99) count, suppressed."""
    stats = city.counts.groupby("zone")["count"].agg(
        typical="median", peak=lambda s: s.quantile(0.99)
    )
    shown = suppress(stats.reset_index(), site, freq=freq, values=["typical", "peak"])
    measures = {z.id: z.measure for z in site.zones}
    return [
        {
            "zone": r["zone"],
            "measure": measures.get(r["zone"], ""),
            "typical": r["typical"] if pd.isna(r["typical"]) else round(r["typical"]),
            "peak": r["peak"] if pd.isna(r["peak"]) else round(r["peak"]),
        }
        for r in shown.to_dict("records")
    ]


def _indicators(site: SiteProfile, library: IndicatorLibrary | None) -> list[dict[str, Any]]:
    """The library definitions of the generic indicators the site weighs (never the weights)."""
    if library is None:
        return []
    return [
        {
            "id": ind.id,
            "title": ind.title,
            "definition": ind.description or ind.effect_form,
            "reference": ind.reference,
            "library": f"{library.id} v{library.version}",
        }
        for ind in (
            library[ind_id]
            for ind_id in sorted({w.indicator for w in site.weights})
            if ind_id in library.ids
        )
    ]


def _limitations(
    prov: Mapping[str, Any], suppression: Mapping[str, Any], *, measured: bool
) -> list[str]:
    """What the model cannot know, and how its published outputs are protected."""
    return [
        f"Trained on {prov['training_start'][:10]} to {prov['training_end'][:10]}: "
        "new kinds of events, new zones or changed sensors are not covered until refitted.",
        "Counts are aggregates from counting sensors; outages are missing values, never zeros, "
        "and a sensor's bias is learnt as part of its zone.",
        "A forecast uses only what was known at its origin: the event calendar and weather "
        "forecasts issued by then; unannounced events are not foreseen.",
        "The 10 % and 90 % quantiles form an 80 % interval; "
        + (
            "see the metrics for measured coverage."
            if measured
            else "its coverage was not measured for this card."
        ),
        f"Published outputs show values below {suppression['threshold']:g} per interval as 0 "
        f"(k = {suppression['k_per_hour']:g} per hour).",
    ]


def _weights(site: SiteProfile | None) -> tuple[dict[str, Any], ...] | None:
    """The site's confidential indicator weights (None without a site)."""
    if site is None:
        return None
    return tuple(
        {"indicator": w.indicator, "target": w.target, "value": w.value, "source": w.source}
        for w in site.weights
    )
