"""Plots of forecasts and backtests (matplotlib, the optional ``plot`` extra).

Every function draws on ``ax`` when given (or creates a new figure), returns
the Axes, never calls ``plt.show()`` and changes no global state (no style,
rcParams or backend). matplotlib is imported only when a function is called.

The backtest plots draw the numbers of :func:`crowdcast.evaluation.kpis` and
:func:`crowdcast.evaluation.skill` (same definitions, same rules: rows whose
``actual`` is NaN are skipped, a missing forecast on an observed row is an
error). Calibration adds one number ``kpis`` does not give: the empirical
non-exceedance of a quantile column ``q<tau>``, the share of scored rows with
``actual <= q<tau>`` (nominal ``tau``); the coverage of the central interval of
a symmetric pair ``q<tau>, q<1-tau>`` is ``kpis(table, interval=(tau, 1 - tau))``'s
``coverage`` (``q<tau> <= actual <= q<1-tau>``, nominal ``1 - 2 tau``).
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, NoReturn

import numpy as np
import pandas as pd

from crowdcast.evaluation import SKILL_METRICS, kpis, skill
from crowdcast.exceptions import ParameterError, Problem, SchemaError
from crowdcast.profiles import IndicatorLibrary, SiteProfile, load_indicator_library
from crowdcast.risk import RiskTable, max_density, quantile_at
from crowdcast.schemas import as_utc, quantile_columns, require_columns

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "METRICS",
    "calibration_points",
    "plot_calibration",
    "plot_error_by_horizon",
    "plot_forecast",
    "plot_skill_by_zone",
]

#: KPI → axis label: the metrics of :func:`~crowdcast.evaluation.kpis` a plot can show.
METRICS: Mapping[str, str] = {
    "mae": "MAE (persons)",
    "rmse": "RMSE (persons)",
    "mase": "MASE",
    "smape": "sMAPE (%)",
    "bias": "bias, forecast − actual (persons)",
    "pinball": "mean pinball loss (persons)",
    "coverage": "coverage of the interval",
    "width": "interval width (persons)",
}
_NAMES = {
    "mae": "MAE",
    "rmse": "RMSE",
    "mase": "MASE",
    "smape": "sMAPE",
    "bias": "Bias",
    "pinball": "Pinball loss",
    "coverage": "Coverage",
    "width": "Interval width",
}
_INSTALL = "pip install 'crowdcast[plot]'"


# ----------------------------------------------------------------------------- helpers


def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError as err:
        raise ImportError(f"crowdcast plots need matplotlib: {_INSTALL}") from err
    return plt


def _axes(ax: Axes | None, figsize: tuple[float, float]) -> Axes:
    if ax is not None:
        return ax
    _, new = _pyplot().subplots(figsize=figsize, layout="constrained")
    return new


def _require(table: object, columns: Sequence[str], what: str) -> pd.DataFrame:
    hint = "pass the table crowdcast.evaluation.backtest(...) returns"
    return require_columns(table, columns, what, hint if what == "backtest table" else None)


def _quantile_cols(df: pd.DataFrame) -> list[tuple[float, str]]:
    """``(tau, column)`` of the ``q<tau>`` columns with at least one value, by tau."""
    return [(tau, col) for col, tau in quantile_columns(df, with_values=True).items()]


def _one_of(what: str, value: object, known: Sequence[object], hint: str | None = None) -> NoReturn:
    raise ParameterError(
        [Problem(f"`{what}`", f"one of {', '.join(map(str, known))}", repr(value), hint=hint)]
    )


def _check_metric(metric: str, allowed: Sequence[str]) -> None:
    if metric not in allowed:
        _one_of("metric", metric, allowed)


def _models(table: pd.DataFrame) -> list[str]:
    """Models in order of first appearance (the order of ``kpis``)."""
    return [str(m) for m in pd.unique(table["model"].dropna())]


# ----------------------------------------------------------------------------- forecast


def _zone_rows(
    df: pd.DataFrame, zone: str, model: str | None, origin: object
) -> tuple[pd.DataFrame, str | None, pd.Timestamp | None]:
    z = df[df["zone"] == zone]
    if z.empty:
        _one_of("zone", zone, sorted(df["zone"].unique().tolist()))
    if "model" in z.columns:
        models = _models(z)
        if model is None:
            if len(models) > 1:
                _one_of("model", model, models, hint="the table holds several models: pick one")
            model = models[0] if models else None
        elif model not in models:
            _one_of("model", model, models)
        z = z[z["model"] == model]
    elif model is not None:
        raise ParameterError(
            [Problem("`model`", "None for a table without a `model` column", repr(model))]
        )
    chosen = None
    if "origin" in z.columns:
        origins = pd.DatetimeIndex(z["origin"].unique()).sort_values()
        if origin is None:
            chosen = origins[-1]
        else:
            chosen = as_utc(origin, "origin")
            if chosen not in origins:
                raise ParameterError(
                    [
                        Problem(
                            "`origin`",
                            f"one of the {len(origins)} origins of zone {zone!r}",
                            repr(origin),
                            hint=f"earliest {origins[0]}, latest {origins[-1]}; "
                            "origin=None plots the latest",
                        )
                    ]
                )
        z = z[z["origin"] == chosen]
    return z.sort_values("timestamp"), model, chosen


def _actual_values(rows: pd.DataFrame, zone: str, actual: pd.DataFrame | None) -> np.ndarray | None:
    if actual is not None:
        a = _require(actual, ["zone", "timestamp", "count"], "actual counts")
        counts = a[a["zone"] == zone].drop_duplicates("timestamp").set_index("timestamp")["count"]
        return counts.reindex(pd.DatetimeIndex(rows["timestamp"])).to_numpy(dtype="float64")
    if "actual" in rows.columns:
        return rows["actual"].to_numpy(dtype="float64")
    return None


def _risk_thresholds(
    risk: RiskTable, zone: str, site: SiteProfile | None, library: IndicatorLibrary | None
) -> dict[str, float]:
    """Count thresholds (lower bound of each level above the lowest) of a zone's scheme."""
    hint = "pass the thresholds as a mapping, e.g. thresholds={'orange': 18000}"
    if zone not in risk.schemes:
        _one_of("zone", zone, list(risk.schemes), hint="a zone of the RiskTable")
    indicator, levels, _ = risk.schemes[zone]
    if risk.hazard == "busyness":
        raise ParameterError(
            [
                Problem(
                    "`thresholds`",
                    "fixed counts for horizontal lines",
                    "relative busyness levels, which vary with the weekday and time of day",
                    hint=hint,
                )
            ]
        )
    quantity = "flow" if "flow" in indicator else "density"
    t = risk.table[risk.table["zone"] == zone]
    cols = _quantile_cols(t)
    values = t[[c for _, c in cols]].to_numpy(dtype="float64")
    p50 = quantile_at(values, np.array([tau for tau, _ in cols]), 0.5)
    q = t[quantity].to_numpy(dtype="float64")
    ok = (q > 0) & np.isfinite(p50)
    if not ok.any():
        raise ParameterError(
            [
                Problem(
                    f"the RiskTable rows of zone {zone!r}",
                    f"at least one positive {quantity} (to recover the zone's count scale)",
                    "none",
                    hint=hint,
                )
            ]
        )
    scale = float(np.median(p50[ok] / q[ok]))  # area, or width × minutes
    if indicator == "distancing":
        if site is None:
            raise ParameterError(
                [
                    Problem(
                        "`site`",
                        "the site profile for distancing thresholds (its distance rule)",
                        "None",
                        hint="plot_forecast(..., thresholds=risk, site=site)",
                    )
                ]
            )
        return {levels[-1]: max_density(site.risk.distance_rule_m) * scale}
    lib = library if library is not None else load_indicator_library()
    return {
        lv: float(x) * scale for lv, x in zip(levels[1:], lib[indicator].thresholds, strict=True)
    }


def _check_timezone(timezone: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        raise ParameterError(
            [
                Problem(
                    "`timezone`",
                    "an IANA timezone name",
                    repr(timezone),
                    hint="e.g. timezone=site.timezone ('Europe/Amsterdam')",
                )
            ]
        ) from None


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
        Timezone of the time axis (e.g. ``site.timezone``).
    thresholds
        Level name → count, drawn as horizontal lines; or a :class:`RiskTable`,
        whose zone scheme gives the count threshold of every level above the
        lowest: the indicator's thresholds (from ``library``, crowdcast's own
        by default, as in :func:`~crowdcast.risk.assess`) times the zone's
        scale (area, or width × minutes, recovered from the table's P50 and
        density or flow). Distancing needs ``site`` (the distance rule);
        relative busyness has no fixed thresholds (pass a mapping).
    actual
        Actual counts (counts contract) to draw instead of a backtest's
        ``actual`` column (a forecast has none).
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
    tz = _check_timezone(timezone)
    df = table_or_forecast.table if isinstance(table_or_forecast, RiskTable) else table_or_forecast
    df = _require(df, ["zone", "timestamp"], "forecast table")
    rows, model, chosen = _zone_rows(df, zone, model, origin)
    cols = _quantile_cols(rows)
    if not cols:
        raise SchemaError(
            [
                Problem(
                    "the forecast table",
                    "quantile columns with values (q0.1, q0.5, q0.9)",
                    f"none for zone {zone!r}" + (f", model {model!r}" if model else ""),
                )
            ],
            title="Nothing to plot",
        )
    level_lines = (
        _risk_thresholds(thresholds, zone, site, library)
        if isinstance(thresholds, RiskTable)
        else dict(thresholds or {})
    )

    ax = _axes(ax, (9.0, 4.0))
    x = pd.DatetimeIndex(rows["timestamp"]).tz_convert(tz).to_pydatetime()
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
    y = _actual_values(rows, zone, actual)
    if y is not None:
        ax.plot(x, y, color="black", marker=".", linewidth=1.2, label="actual")
    if any(c == "q0.5" for _, c in cols):
        ax.plot(x, rows["q0.5"].to_numpy(dtype="float64"), color="C0", linewidth=2, label="P50")

    if level_lines:
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

    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(tz=tz)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, tz=tz))
    ax.set_xlabel(f"time ({timezone})")
    ax.set_ylabel("count (persons)")
    title = zone + (f" · {model}" if model else "")
    if chosen is not None:
        title += f" · origin {chosen.tz_convert(tz):%Y-%m-%d %H:%M}"
    ax.set_title(title)
    handles = [h for h in ax.get_legend_handles_labels()[0] if h.get_gid() is None]
    if handles:
        ax.legend(handles=handles, loc="upper left", fontsize="small")
    return ax


# ----------------------------------------------------------------------------- backtests


def plot_error_by_horizon(
    table: pd.DataFrame,
    *,
    metric: str = "mae",
    interval: tuple[float, float] = (0.1, 0.9),
    ax: Axes | None = None,
) -> Axes:
    """A KPI per horizon, one line per model: ``kpis(table, by="horizon")[metric]``.

    ``metric`` is one of :data:`METRICS`; ``interval`` is the quantile pair of
    ``coverage`` and ``width`` (a dotted line marks the nominal coverage).

    Examples
    --------
    >>> import matplotlib.pyplot as plt, pandas as pd
    >>> t = pd.Timestamp("2024-06-01", tz="UTC")
    >>> bt = pd.DataFrame({"model": "naive", "fold": 0, "origin": t, "zone": "a",
    ...     "timestamp": [t, t + pd.Timedelta("1h")], "horizon": [1, 2], "q0.5": [10.0, 10.0],
    ...     "actual": [12.0, 4.0], "event": False, "scale": 2.0})
    >>> ax = plot_error_by_horizon(bt)
    >>> ax.get_lines()[0].get_ydata().tolist()
    [2.0, 6.0]
    >>> plt.close(ax.figure)
    """
    _check_metric(metric, list(METRICS))
    k = kpis(table, by="horizon", interval=interval)
    ax = _axes(ax, (7.0, 4.0))
    for model in _models(table):
        s = k[k["model"] == model].sort_values("horizon")
        ax.plot(
            s["horizon"].to_numpy(), s[metric].to_numpy(dtype="float64"), marker="o", label=model
        )
    if metric == "bias":
        ax.axhline(0.0, color="0.5", linewidth=0.8)
    elif metric == "coverage":
        nominal = float(k.attrs["nominal_coverage"])
        ax.axhline(nominal, color="0.5", linestyle=":", linewidth=1, label=f"nominal {nominal:g}")
    ax.set_xlabel("horizon (intervals ahead)")
    ax.set_ylabel(METRICS[metric])
    ax.set_title(f"{_NAMES[metric]} by horizon")
    ax.legend(fontsize="small")
    return ax


def plot_skill_by_zone(
    table: pd.DataFrame, *, baseline: str, metric: str = "mae", ax: Axes | None = None
) -> Axes:
    """Skill ``1 - metric / metric_baseline`` per zone: one horizontal bar per zone and model.

    The numbers are ``skill(kpis(table, by="zone"), baseline, metrics=[metric])``;
    positive: better than ``baseline`` (which gets no bar). Zones run top to
    bottom in sorted order; a zone without a value (e.g. baseline MAE 0) has
    a bar of NaN width (nothing drawn).

    Examples
    --------
    >>> import matplotlib.pyplot as plt, pandas as pd
    >>> t = pd.Timestamp("2024-06-01", tz="UTC")
    >>> bt = pd.DataFrame({"model": ["naive", "gbm"], "fold": 0, "origin": t, "zone": "a",
    ...     "timestamp": t, "horizon": 1, "q0.5": [10.0, 11.0], "actual": 12.0,
    ...     "event": False, "scale": 2.0})
    >>> ax = plot_skill_by_zone(bt, baseline="naive")
    >>> [float(p.get_width()) for p in ax.patches]
    [0.5]
    >>> plt.close(ax.figure)
    """
    _check_metric(metric, SKILL_METRICS)
    sk = skill(kpis(table, by="zone"), baseline, metrics=[metric])
    others = [m for m in _models(table) if m != baseline]
    if not others:
        raise ParameterError(
            [
                Problem(
                    "the backtest table",
                    "a model besides the baseline",
                    f"only {baseline!r}",
                    hint="backtest several models: backtest([SeasonalNaive(), GBMForecaster()], d)",
                )
            ]
        )
    zones = sorted(str(z) for z in table["zone"].unique())
    ax = _axes(ax, (7.0, 1.2 + 0.3 * len(zones) * max(1, len(others))))
    pos = np.arange(len(zones), dtype="float64")
    height = 0.8 / len(others)
    for j, m in enumerate(others):
        values = sk[sk["model"] == m].set_index("zone")[f"{metric}_skill"].reindex(zones)
        ax.barh(
            pos - 0.4 + height * (j + 0.5),
            values.to_numpy(dtype="float64"),
            height=height,
            label=m,
            color=f"C{j}",
        )
    ax.set_yticks(pos, zones)
    ax.invert_yaxis()
    ax.axvline(0.0, color="black", linewidth=0.8)
    name = _NAMES[metric]
    ax.set_xlabel(f"skill vs {baseline}: 1 − {name} / {name} of {baseline}")
    ax.set_title(f"Skill by zone ({name})")
    ax.legend(fontsize="small")
    return ax


def calibration_points(table: pd.DataFrame) -> pd.DataFrame:
    """Nominal vs empirical probability per model: the points :func:`plot_calibration` draws.

    Returns ``model, kind, nominal, empirical, n``: ``kind`` ``"quantile"``
    (share of scored rows with ``actual <= q<tau>``, nominal ``tau``) or
    ``"interval"`` (coverage of the central interval of a symmetric pair,
    nominal ``1 - 2 tau``); ``n`` is the number of scored rows. Models in order
    of first appearance, then kind and nominal.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.Timestamp("2024-06-01", tz="UTC")
    >>> bt = pd.DataFrame({"model": "gbm", "fold": 0, "origin": t, "zone": "a",
    ...     "timestamp": [t, t + pd.Timedelta("1h")], "horizon": [1, 2], "actual": [5.0, 15.0],
    ...     "q0.1": 10.0, "q0.5": 12.0, "q0.9": 20.0, "event": False, "scale": 1.0})
    >>> calibration_points(bt)[["kind", "nominal", "empirical"]].to_numpy().tolist()
    [['interval', 0.8, 0.5], ['quantile', 0.1, 0.5], ['quantile', 0.5, 0.5], ['quantile', 0.9, 1.0]]
    """
    cols = _quantile_cols(_require(table, ["model", "actual"], "backtest table"))
    pairs = [(tau, u) for tau, _ in cols for u, _ in cols if tau < 0.5 and np.isclose(u, 1.0 - tau)]
    rows: list[tuple[str, str, float, float, int]] = []
    for lo, hi in pairs:  # kpis validates the table (and raises on missing forecasts)
        k = kpis(table, interval=(lo, hi))
        for model, cov, n in k[["model", "coverage", "n"]].itertuples(index=False):
            if np.isfinite(cov):
                rows.append((str(model), "interval", round(hi - lo, 12), float(cov), int(n)))
    if not pairs:
        kpis(table)
    for model in _models(table):
        m = table[(table["model"] == model) & table["actual"].notna()]
        y = m["actual"].to_numpy(dtype="float64")
        for tau, col in cols:
            q = m[col].to_numpy(dtype="float64")
            if len(q) and not np.isnan(q).all():  # the model produces this quantile
                rows.append((model, "quantile", tau, float(np.mean(y <= q)), len(q)))
    out = pd.DataFrame(rows, columns=["model", "kind", "nominal", "empirical", "n"])
    order = {m: i for i, m in enumerate(_models(table))}
    return out.sort_values(
        ["model", "kind", "nominal"], key=lambda c: c.map(order) if c.name == "model" else c
    ).reset_index(drop=True)


def plot_calibration(table: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Empirical vs nominal probability per model, with the diagonal of perfect calibration.

    Per model (see :func:`calibration_points`): every quantile's empirical
    non-exceedance against its level (circles joined by a line, label
    ``"<model>: quantiles"``) and every central interval's coverage against
    its nominal coverage (open squares, ``"<model>: central intervals"``;
    q0.1/q0.9 → 0.8). Below the diagonal: quantiles too low, intervals too narrow.

    Examples
    --------
    >>> import matplotlib.pyplot as plt, pandas as pd
    >>> t = pd.Timestamp("2024-06-01", tz="UTC")
    >>> bt = pd.DataFrame({"model": "gbm", "fold": 0, "origin": t, "zone": "a",
    ...     "timestamp": [t, t + pd.Timedelta("1h")], "horizon": [1, 2], "actual": [5.0, 15.0],
    ...     "q0.1": 10.0, "q0.5": 12.0, "q0.9": 20.0, "event": False, "scale": 1.0})
    >>> ax = plot_calibration(bt)
    >>> ax.get_lines()[1].get_xydata().tolist()  # the 80 % interval holds 1 of 2
    [[0.8, 0.5]]
    >>> plt.close(ax.figure)
    """
    points = calibration_points(table)
    ax = _axes(ax, (5.0, 5.0))
    for i, model in enumerate(_models(table)):
        p = points[points["model"] == model]
        q = p[p["kind"] == "quantile"]
        iv = p[p["kind"] == "interval"]
        color = f"C{i}"
        ax.plot(q["nominal"], q["empirical"], marker="o", color=color, label=f"{model}: quantiles")
        ax.plot(
            iv["nominal"],
            iv["empirical"],
            marker="s",
            linestyle="none",
            color=color,
            markerfacecolor="none",
            label=f"{model}: central intervals",
        )
    ax.plot([0.0, 1.0], [0.0, 1.0], linestyle="--", color="0.5", linewidth=1, label="ideal")
    ax.set_xlim(0.0, 1.0)
    ax.set_ylim(0.0, 1.0)
    ax.set_aspect("equal")
    ax.set_xlabel("nominal probability")
    ax.set_ylabel("empirical frequency")
    ax.set_title("Calibration")
    ax.legend(fontsize="small", loc="upper left")
    return ax
