"""The main job: train on a city, forecast the next hours for every zone, summarise peaks."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from crowdcast._city import City
from crowdcast._validation import atomic_write, check_writable
from crowdcast.exceptions import ParameterError, Problem
from crowdcast.models import BaseForecaster, fingerprint
from crowdcast.privacy import AuditLog, file_fingerprint, suppress
from crowdcast.profiles import SiteProfile
from crowdcast.report import peak_table
from crowdcast.risk import RiskTable, assess
from crowdcast.schemas import PathLike

__all__ = ["ForecastRun", "forecast_city"]


@dataclass(frozen=True)
class ForecastRun:
    """What :func:`forecast_city` produced."""

    forecast: pd.DataFrame
    peaks: pd.DataFrame
    model: BaseForecaster
    path: Path | None
    fit_seconds: float
    predict_seconds: float
    purpose: str | None = None
    risk: RiskTable | None = None


def forecast_city(
    city: City,
    *,
    model: BaseForecaster | None = None,
    horizon: int = 24,
    out: PathLike | None = None,
    overwrite: bool = False,
    publish: bool = False,
    audit: PathLike | AuditLog | None = None,
) -> ForecastRun:
    """Fit ``model`` (the global LightGBM forecaster by default) on the city and forecast
    ``horizon`` intervals after the last observation, with the city's events and issued
    weather forecasts; optionally write the full forecast to ``out`` (CSV or Parquet).

    The city must declare its purpose (``load_city(..., purpose=...)``, or
    ``city.with_purpose(...)`` for another one); it was checked against the
    sources when the city was built and is recorded in the model's provenance.
    The crowding levels of the zones with an area or width
    (:func:`crowdcast.assess`) are in ``risk``, and their level at each
    zone's peak in ``peaks``.
    With ``publish=True``, or for the purpose ``public_information``, the forecast
    (returned and written) passes egress suppression
    (:func:`crowdcast.privacy.suppress`). With ``audit`` (a path or an
    :class:`~crowdcast.privacy.AuditLog`) the run is appended to the audit log.
    The output is written whole or not at all and never replaces a file unless
    ``overwrite``. Both the output and the audit log are checked before the
    model is fitted: a path that cannot be written (a directory, a path under
    a file, a read-only folder) is a ParameterError with a hint, and nothing is
    written.
    """
    from crowdcast.models import GBMForecaster

    site = city.require_site("forecast_city")
    purpose = require_purpose(city, "forecast_city")
    # every output is checked before anything is fitted or written: a run that cannot
    # write its audit record must not leave a forecast behind
    target = check_writable(out, overwrite=overwrite) if out is not None else None
    log = None
    if audit is not None:
        log = (audit if isinstance(audit, AuditLog) else AuditLog(Path(audit))).check()
    forecaster = model if model is not None else GBMForecaster(horizon=horizon)
    t0 = time.perf_counter()
    forecaster.fit(city)
    t1 = time.perf_counter()
    forecast = forecaster.predict(horizon=horizon)
    t2 = time.perf_counter()
    zones = levelled_zones(site, list(dict.fromkeys(forecast["zone"])))
    levelled = forecast[forecast["zone"].isin(zones)]
    risk = assess(levelled, site) if len(levelled) else None
    peaks = peak_table(forecast, city.counts, site.timezone, risk=risk)
    if publish or city.purpose == "public_information":
        forecast = suppress(forecast, site)
    if target is not None:
        atomic_write(target, _writer(forecast, target), overwrite=overwrite)
    if log is not None:
        log.append(_audit_record(city, forecaster, forecast, target, purpose))
    return ForecastRun(
        forecast=forecast,
        peaks=peaks,
        model=forecaster,
        path=target,
        fit_seconds=t1 - t0,
        predict_seconds=t2 - t1,
        purpose=city.purpose,
        risk=risk,
    )


def levelled_zones(site: SiteProfile, zones: list[str]) -> list[str]:
    """The zones with what crowding levels need: an area (occupancy) or a width (passages)."""
    out = []
    for zid in zones:
        z = site.zone(zid)
        if (z.measure == "occupancy" and z.area_m2) or (z.measure == "passages" and z.width_m):
            out.append(zid)
    return out


def require_purpose(city: City, call: str) -> str:
    """The city's declared purpose; a ParameterError naming ``call`` when it has none."""
    if city.purpose is None:
        raise ParameterError(
            [
                Problem(
                    "the city's purpose",
                    "declared",
                    "none",
                    hint="load the city with load_city(..., purpose=...) or use "
                    "city.with_purpose(...)",
                )
            ],
            title=f"{call} needs a purpose",
        )
    return city.purpose


def _writer(forecast: pd.DataFrame, target: Path) -> Callable[[Path], None]:
    """How to write the forecast: Parquet for ``.parquet``/``.pq``, else CSV."""
    if target.suffix.lower() in (".parquet", ".pq"):
        return lambda path: forecast.to_parquet(path, index=False)
    return lambda path: forecast.to_csv(path, index=False, date_format="%Y-%m-%dT%H:%M:%SZ")


def _audit_record(
    city: City,
    model: BaseForecaster,
    forecast: pd.DataFrame,
    target: Path | None,
    purpose: str,
) -> dict[str, Any]:
    prov = model.provenance_
    used = ("counts", "events", "weather")
    loaded = city.sources or None
    site = city.require_site("the audit")
    return {
        "action": "forecast",
        "purpose": purpose,
        "site": site.id,
        "sources": [
            {"id": s.id, "kind": s.kind, "sha256": file_fingerprint(s.path)}
            for s in site.sources
            if (loaded is None or s.id in loaded) and s.kind in used
        ],
        "model": {
            "name": prov.model,
            "fitted_at": prov.fitted_at,
            "training_start": prov.training_start,
            "training_end": prov.training_end,
            "data_fingerprints": prov.data_fingerprints,
        },
        "outputs": [
            {
                "path": str(target) if target is not None else None,
                "sha256": file_fingerprint(target) if target is not None else None,
                "rows": len(forecast),
                "content": fingerprint(forecast),
                "suppressed": bool(forecast["suppressed"].any())
                if "suppressed" in forecast
                else None,
            }
        ],
    }
