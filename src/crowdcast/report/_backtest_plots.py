"""Plots of backtests: a KPI by horizon, skill by zone, calibration.

They draw the numbers of :func:`crowdcast.evaluation.kpis` and
:func:`crowdcast.evaluation.skill` (same definitions, same rules: rows whose
``actual`` is NaN are skipped, a missing forecast on an observed row is an
error). Calibration adds one number ``kpis`` does not give: the empirical
non-exceedance of a quantile column ``q<tau>``, the share of scored rows with
``actual <= q<tau>`` (nominal ``tau``); the coverage of the central interval of
a symmetric pair ``q<tau>, q<1-tau>`` is ``kpis(table, interval=(tau, 1 - tau))``'s
``coverage`` (``q<tau> <= actual <= q<1-tau>``, nominal ``1 - 2 tau``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from crowdcast.evaluation import SKILL_METRICS, kpis, skill
from crowdcast.report._figure import (
    axes,
    check_choice,
    fail,
    models_in,
    quantile_cols,
    require_table,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "METRICS",
    "calibration_points",
    "plot_calibration",
    "plot_error_by_horizon",
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
    check_choice("metric", metric, list(METRICS))
    k = kpis(table, by="horizon", interval=interval)
    ax = axes(ax, (7.0, 4.0))
    for model in models_in(table):
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
    check_choice("metric", metric, SKILL_METRICS)
    sk = skill(kpis(table, by="zone"), baseline, metrics=[metric])
    others = [m for m in models_in(table) if m != baseline]
    if not others:
        fail(
            "the backtest table",
            "a model besides the baseline",
            f"only {baseline!r}",
            hint="backtest several models: backtest([SeasonalNaive(), GBMForecaster()], d)",
        )
    zones = sorted(str(z) for z in table["zone"].unique())
    ax = axes(ax, (7.0, 1.2 + 0.3 * len(zones) * max(1, len(others))))
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
    cols = quantile_cols(require_table(table, ["model", "actual"], "backtest table"))
    pairs = [(tau, u) for tau, _ in cols for u, _ in cols if tau < 0.5 and np.isclose(u, 1.0 - tau)]
    rows: list[tuple[str, str, float, float, int]] = []
    for lo, hi in pairs:  # kpis validates the table (and raises on missing forecasts)
        k = kpis(table, interval=(lo, hi))
        for model, cov, n in k[["model", "coverage", "n"]].itertuples(index=False):
            if np.isfinite(cov):
                rows.append((str(model), "interval", round(hi - lo, 12), float(cov), int(n)))
    if not pairs:
        kpis(table)
    for model in models_in(table):
        m = table[(table["model"] == model) & table["actual"].notna()]
        y = m["actual"].to_numpy(dtype="float64")
        for tau, col in cols:
            q = m[col].to_numpy(dtype="float64")
            if len(q) and not np.isnan(q).all():  # the model produces this quantile
                rows.append((model, "quantile", tau, float(np.mean(y <= q)), len(q)))
    out = pd.DataFrame(rows, columns=["model", "kind", "nominal", "empirical", "n"])
    order = {m: i for i, m in enumerate(models_in(table))}
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
    ax = axes(ax, (5.0, 5.0))
    for i, model in enumerate(models_in(table)):
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
