"""The plot of one zone's forecast: P50 line, outer quantile band, actuals, level thresholds.

:func:`plot_forecast` picks the rows (zone, model, origin), finds the count
thresholds (given, or those of a :class:`~crowdcast.risk.RiskTable`) and draws
in three steps: the forecast (band, actuals, P50), the thresholds, and the
time axis and labels.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from crowdcast._validation import check_timezone
from crowdcast.exceptions import SchemaError
from crowdcast.profiles import IndicatorLibrary, SiteProfile, load_indicator_library
from crowdcast.report._figure import (
    axes,
    check_choice,
    fail,
    models_in,
    quantile_cols,
    require_table,
)
from crowdcast.risk import RiskTable, max_density, quantile_at
from crowdcast.schemas import as_utc

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_forecast"]

_THRESHOLDS_HINT = "pass the thresholds as a mapping, e.g. thresholds={'orange': 18000}"


# ----------------------------------------------------------------------------- rows


def _zone_rows(
    df: pd.DataFrame, zone: str, model: str | None, origin: object
) -> tuple[pd.DataFrame, str | None, pd.Timestamp | None]:
    """The rows of ``zone``, of one model and one origin, by time; and that model and origin."""
    z = df[df["zone"] == zone]
    if z.empty:
        check_choice("zone", zone, sorted(df["zone"].unique().tolist()))
    z, model = _model_rows(z, model)
    chosen = None
    if "origin" in z.columns:
        origins = pd.DatetimeIndex(z["origin"].unique()).sort_values()
        chosen = _origin(origins, origin, zone)
        z = z[z["origin"] == chosen]
    return z.sort_values("timestamp"), model, chosen


def _model_rows(z: pd.DataFrame, model: str | None) -> tuple[pd.DataFrame, str | None]:
    """The rows of ``model`` (by default the only one) of a zone's rows, and that model."""
    if "model" not in z.columns:
        if model is not None:
            fail("`model`", "None for a table without a `model` column", repr(model))
        return z, model
    models = models_in(z)
    if model is None:
        if len(models) > 1:
            check_choice("model", model, models, hint="the table holds several models: pick one")
        model = models[0] if models else None
    else:
        check_choice("model", model, models)
    return z[z["model"] == model], model


def _origin(origins: pd.DatetimeIndex, origin: object, zone: str) -> pd.Timestamp:
    """``origin`` as one of a zone's (sorted) ``origins``; None is the latest."""
    if origin is None:
        return origins[-1]
    chosen = as_utc(origin, "origin")
    if chosen not in origins:
        fail(
            "`origin`",
            f"one of the {len(origins)} origins of zone {zone!r}",
            repr(origin),
            hint=f"earliest {origins[0]}, latest {origins[-1]}; origin=None plots the latest",
        )
    return chosen


def _actual_values(rows: pd.DataFrame, zone: str, actual: pd.DataFrame | None) -> np.ndarray | None:
    """The actual count at each row's timestamp: from ``actual``, else the rows' own column."""
    if actual is not None:
        a = require_table(actual, ["zone", "timestamp", "count"], "actual counts")
        counts = a[a["zone"] == zone].drop_duplicates("timestamp").set_index("timestamp")["count"]
        return counts.reindex(pd.DatetimeIndex(rows["timestamp"])).to_numpy(dtype="float64")
    if "actual" in rows.columns:
        return rows["actual"].to_numpy(dtype="float64")
    return None


# ----------------------------------------------------------------------------- thresholds


def _level_lines(
    thresholds: Mapping[str, float] | RiskTable | None,
    zone: str,
    site: SiteProfile | None,
    library: IndicatorLibrary | None,
) -> dict[str, float]:
    """Level name → count of the horizontal lines: as given, or from a RiskTable's scheme."""
    if isinstance(thresholds, RiskTable):
        return _risk_thresholds(thresholds, zone, site, library)
    return dict(thresholds or {})


def _risk_thresholds(
    risk: RiskTable, zone: str, site: SiteProfile | None, library: IndicatorLibrary | None
) -> dict[str, float]:
    """Count thresholds (lower bound of each level above the lowest) of a zone's scheme."""
    check_choice("zone", zone, list(risk.schemes), hint="a zone of the RiskTable")
    indicator, levels, _ = risk.schemes[zone]
    if risk.hazard == "busyness":
        fail(
            "`thresholds`",
            "fixed counts for horizontal lines",
            "relative busyness levels, which vary with the weekday and time of day",
            hint=_THRESHOLDS_HINT,
        )
    scale = _count_scale(risk, zone, "flow" if "flow" in indicator else "density")
    if indicator == "distancing":
        return {levels[-1]: max_density(_distance_rule(risk, site)) * scale}
    lib = library if library is not None else load_indicator_library()
    return {
        lv: float(x) * scale for lv, x in zip(levels[1:], lib[indicator].thresholds, strict=True)
    }


def _count_scale(risk: RiskTable, zone: str, quantity: str) -> float:
    """Counts per unit of ``quantity`` (area, or width × minutes): median of P50 / quantity."""
    t = risk.table[risk.table["zone"] == zone]
    cols = quantile_cols(t)
    values = t[[c for _, c in cols]].to_numpy(dtype="float64")
    p50 = quantile_at(values, np.array([tau for tau, _ in cols]), 0.5)
    q = t[quantity].to_numpy(dtype="float64")
    ok = (q > 0) & np.isfinite(p50)
    if not ok.any():
        fail(
            f"the RiskTable rows of zone {zone!r}",
            f"at least one positive {quantity} (to recover the zone's count scale)",
            "none",
            hint=_THRESHOLDS_HINT,
        )
    return float(np.median(p50[ok] / q[ok]))


def _distance_rule(risk: RiskTable, site: SiteProfile | None) -> float:
    """The distance (m) of a distancing table: its own settings', else the site's."""
    if risk.settings is not None:
        return risk.settings.distance_rule_m
    if site is None:
        fail(
            "`site`",
            "the site profile for distancing thresholds (its distance rule)",
            "None",
            hint="plot_forecast(..., thresholds=risk, site=site)",
        )
    return site.risk.distance_rule_m


# ----------------------------------------------------------------------------- drawing


def _draw_forecast(
    ax: Axes,
    x: np.ndarray,
    rows: pd.DataFrame,
    cols: list[tuple[float, str]],
    actual: np.ndarray | None,
) -> None:
    """The band between the outermost quantile pair, the actuals and the P50 line."""
    lower = [c for tau, c in cols if tau < 0.5]
    upper = [c for tau, c in cols if tau > 0.5]
    if lower and upper:
        lo, hi = lower[0], upper[-1]
        ax.fill_between(
            x,
            rows[lo].to_numpy(dtype="float64"),
            rows[hi].to_numpy(dtype="float64"),
            color="C0",
            alpha=0.25,
            linewidth=0,
            label=f"P{float(lo[1:]) * 100:g}–P{float(hi[1:]) * 100:g}",
        )
    if actual is not None:
        ax.plot(x, actual, color="black", marker=".", linewidth=1.2, label="actual")
    if any(c == "q0.5" for _, c in cols):
        ax.plot(x, rows["q0.5"].to_numpy(dtype="float64"), color="C0", linewidth=2, label="P50")


def _draw_thresholds(ax: Axes, level_lines: Mapping[str, float]) -> None:
    """One dashed line per level (``gid`` ``"threshold:<level>"``), labelled at the right."""
    if not level_lines:
        return
    import matplotlib as mpl

    cmap = mpl.colormaps["YlOrRd"]
    shades = np.linspace(0.35, 0.95, len(level_lines))
    for shade, (name, value) in zip(shades, level_lines.items(), strict=True):
        if value is None or not np.isfinite(value):
            continue
        color = cmap(float(shade))
        ax.axhline(
            float(value),
            color=color,
            linestyle="--",
            linewidth=1,
            label=name,
            gid=f"threshold:{name}",
        )
        ax.annotate(
            f"{name} ≥ {value:,.0f}",
            xy=(1.0, float(value)),
            xycoords=("axes fraction", "data"),
            xytext=(-4, 2),
            textcoords="offset points",
            ha="right",
            va="bottom",
            fontsize="small",
            color=color,
        )


def _label_axes(ax: Axes, tz: dt.tzinfo, timezone: str, title: str) -> None:
    """Local-time date axis, axis labels, title and a legend without the threshold lines."""
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(tz=tz)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, tz=tz))
    ax.set_xlabel(f"time ({timezone})")
    ax.set_ylabel("count (persons)")
    ax.set_title(title)
    handles = [h for h in ax.get_legend_handles_labels()[0] if h.get_gid() is None]
    if handles:
        ax.legend(handles=handles, loc="upper left", fontsize="small")


# ----------------------------------------------------------------------------- the plot


# Over 80 lines only for its numpydoc docstring: the code is about 35 lines.
def plot_forecast(
    table_or_forecast: pd.DataFrame | RiskTable,
    *,
    zone: str,
    model: str | None = None,
    origin: object = None,
    timezone: str = "UTC",
    thresholds: Mapping[str, float] | RiskTable | None = None,
    actual: pd.DataFrame | None = None,
    site: SiteProfile | None = None,
    library: IndicatorLibrary | None = None,
    ax: Axes | None = None,
) -> Axes:
    """One zone's forecast from one origin: P50 line, outer quantile band, actuals, levels.

    Parameters
    ----------
    table_or_forecast
        A backtest table (``model`` and ``actual`` columns), a forecast
        (``zone, origin, timestamp, horizon, q...``) or a :class:`RiskTable`
        (its ``table`` is plotted).
    zone
        The zone to plot.
    model
        The model of a backtest table; may be omitted when it holds one model.
    origin
        The forecast origin (timezone-aware); default the latest in the table.
    timezone
        Time zone of the time axis, an IANA name (e.g. ``site.timezone``).
    thresholds
        Level name → count, drawn as horizontal lines; or a :class:`RiskTable`,
        whose zone scheme gives the count threshold of every level above the
        lowest: the indicator's thresholds (from ``library``, crowdcast's own
        by default, as in :func:`~crowdcast.risk.assess`) times the zone's
        scale (area, or width × minutes, recovered from the table's P50 and
        density or flow). Distancing uses the distance rule of the settings
        the table was computed with (``risk.settings``), or ``site``'s for a
        table without them; relative busyness has no fixed thresholds (pass
        a mapping).
    actual
        Actual counts (counts contract) to draw instead of a backtest's
        ``actual`` column (a forecast has none).
    site
        The site profile: its distance rule, for a distancing RiskTable
        that does not carry its settings.
    library
        The indicator library of a RiskTable's thresholds (default crowdcast's own).
    ax
        Axes to draw on; default a new figure.

    Returns
    -------
    The Axes: lines ``actual`` (if any) and ``P50``, the band between the
    lowest and highest quantile columns with values, one dashed line per
    threshold (``gid`` ``"threshold:<level>"``).

    Examples
    --------
    >>> import matplotlib.pyplot as plt, pandas as pd
    >>> t = pd.Timestamp("2024-12-14 15:00", tz="UTC")
    >>> fc = pd.DataFrame({"zone": "stadium_plaza", "origin": t,
    ...     "timestamp": [t + pd.Timedelta(hours=h) for h in range(3)], "horizon": [1, 2, 3],
    ...     "q0.1": 1000.0, "q0.5": [2000.0, 30000.0, 2000.0], "q0.9": 40000.0})
    >>> ax = plot_forecast(fc, zone="stadium_plaza", timezone="Europe/Amsterdam",
    ...                    thresholds={"orange": 18000.0, "red": 36000.0})
    >>> [line.get_label() for line in ax.get_lines()]
    ['P50', 'orange', 'red']
    >>> plt.close(ax.figure)
    """
    tz = check_timezone(timezone)
    df = table_or_forecast.table if isinstance(table_or_forecast, RiskTable) else table_or_forecast
    df = require_table(df, ["zone", "timestamp"], "forecast table")
    rows, model, chosen = _zone_rows(df, zone, model, origin)
    cols = quantile_cols(rows)
    if not cols:
        fail(
            "the forecast table",
            "quantile columns with values (q0.1, q0.5, q0.9)",
            f"none for zone {zone!r}" + (f", model {model!r}" if model else ""),
            error=SchemaError,
            title="Nothing to plot",
        )
    level_lines = _level_lines(thresholds, zone, site, library)

    ax = axes(ax, (9.0, 4.0))
    x = pd.DatetimeIndex(rows["timestamp"]).tz_convert(tz).to_pydatetime()
    _draw_forecast(ax, x, rows, cols, _actual_values(rows, zone, actual))
    _draw_thresholds(ax, level_lines)
    title = zone + (f" · {model}" if model else "")
    if chosen is not None:
        title += f" · origin {chosen.tz_convert(tz):%Y-%m-%d %H:%M}"
    _label_axes(ax, tz, timezone, title)
    return ax
