"""The planner's timeline of one zone, as inline SVG: recent counts, forecast, levels, events.

Drawn with matplotlib (the ``plot`` extra) on a :class:`~matplotlib.figure.Figure`
of its own, never pyplot's global state, and saved as SVG with its text as
text. The SVG is cleaned for inlining in HTML: no XML prolog, no metadata,
no namespace URLs, and it scales with its container.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from crowdcast.report._figure import INSTALL
from crowdcast.report._plan import PlanReport, _outer
from crowdcast.report._words import Words

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["level_colour", "timeline_svg"]

#: Colours of the levels crowdcast's schemes name; others get a ramp.
LEVEL_COLOURS: Mapping[str, str] = {
    "green": "#2e9d4a",
    "yellow": "#d9b100",
    "orange": "#ef7d00",
    "red": "#c8102e",
    "A": "#1a9850",
    "B": "#66bd63",
    "C": "#a6d96a",
    "D": "#e6b800",
    "E": "#f46d43",
    "F": "#c8102e",
    "ok": "#2e9d4a",
    "exceeded": "#c8102e",
    "quiet": "#4575b4",
    "normal": "#66bd63",
    "busy": "#ef7d00",
    "very_busy": "#c8102e",
}
_RAMP = ("#66bd63", "#d9b100", "#ef7d00", "#c8102e", "#7f0000")
_HISTORY_SPAN = pd.Timedelta("2D")
_FORECAST = "#1f5fa8"
_EVENT = "#6a3d9a"
_FONT = "DejaVu Sans, Arial, Helvetica, sans-serif"


def level_colour(level: str | None, levels: Sequence[str] = ()) -> str:
    """The colour of a level: its own for known names, else by its rank in ``levels``.

    >>> level_colour("orange"), level_colour(None)
    ('#ef7d00', '#9e9e9e')
    """
    if level is None:
        return "#9e9e9e"
    if level in LEVEL_COLOURS:
        return LEVEL_COLOURS[level]
    rank = list(levels).index(level) if level in levels else 0
    return _RAMP[min(rank, len(_RAMP) - 1)]


def _figure(size: tuple[float, float]) -> Any:
    try:
        from matplotlib.figure import Figure
    except ImportError as err:  # pragma: no cover - matplotlib is there in the tests
        raise ImportError(f"the planner's report draws with matplotlib: {INSTALL}") from err
    return Figure(figsize=size, layout="constrained")


def clean_svg(svg: str) -> str:
    """matplotlib's SVG for inlining: no prolog, metadata or namespace URLs; scales to fit."""
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    svg = re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", svg)
    svg = re.sub(r'\s+(width|height)="[\d.]+pt"', "", svg, count=2)
    svg = svg.replace("xlink:href", "href")
    svg = re.sub(r"font-family[=:]\s*['\"]?DejaVu Sans['\"]?", f"font-family: {_FONT}", svg)
    return svg.replace("<svg ", '<svg class="figure" role="img" ', 1)


def _xy(table: pd.DataFrame, tz: str, freq: pd.Timedelta) -> pd.DatetimeIndex:
    """Local wall-clock times of the rows' interval midpoints (an interval's value is
    drawn in its middle, so 18:00-19:00 at 18:30)."""
    return (pd.DatetimeIndex(table["timestamp"]) + freq / 2).tz_convert(tz).tz_localize(None)


def _draw_forecast(ax: Axes, report: PlanReport, zone: str, words: Words) -> float:
    """History, band, P50 and the base P50; returns the highest value drawn."""
    tz = report.site.timezone
    fc = report.forecast[report.forecast["zone"] == zone].sort_values("timestamp")
    origin = fc["timestamp"].min()
    hist = report.history
    hist = hist[(hist["zone"] == zone) & (hist["timestamp"] >= origin - _HISTORY_SPAN)]
    hist = hist.sort_values("timestamp")
    ax.plot(
        _xy(hist, tz, report.freq),
        hist["count"],
        color="#222222",
        lw=1.3,
        label=words["legend_history"],
    )
    x = _xy(fc, tz, report.freq)
    low, mid, high = _outer(fc)
    ax.fill_between(x, low, high, color=_FORECAST, alpha=0.22, lw=0, label=words["legend_range"])
    ax.plot(x, mid, color=_FORECAST, lw=2.2, label=words["legend_expected"])
    top = float(np.nanmax([np.nanmax(high, initial=0), hist["count"].max(skipna=True) or 0]))
    if report.base is not None:
        base = report.base[report.base["zone"] == zone].sort_values("timestamp")
        base_mid = _outer(base)[1]
        ax.plot(x, base_mid, color="#555555", lw=1.4, ls="--", label=words["legend_base"])
        top = max(top, float(np.nanmax(base_mid, initial=0)))
    return top


def _in_view(thresholds: Mapping[str, float], top: float) -> dict[str, float]:
    """The levels whose lower bound falls in view (up to 1.3 × the data)."""
    return {lv: v for lv, v in thresholds.items() if np.isfinite(v) and v <= 1.3 * max(top, 1)}


def _draw_levels(ax: Axes, levels: Sequence[str], shown: Mapping[str, float], label: bool,
                 words: Words) -> None:  # fmt: skip
    """Dashed lines at the levels' lower bounds, labelled at the right on the window's axes."""
    for level, value in shown.items():
        colour = level_colour(level, levels)
        ax.axhline(value, color=colour, lw=1.2, ls=(0, (5, 3)))
        if label:
            ax.annotate(
                f"{level} ≥ {words.number(value)}",
                xy=(1.0, value),
                xycoords=("axes fraction", "data"),
                xytext=(-3, 2),
                textcoords="offset points",
                ha="right",
                fontsize=8.5,
                color=colour,
                fontweight="bold",
            )


def _draw_events(ax: Axes, report: PlanReport, zone: str) -> None:
    """Markers at the start (solid) and end (dotted) of the planned event and the zone's own
    events in the window, named above the panel."""
    import matplotlib.dates as mdates

    tz = report.site.timezone
    ev = report.events
    mine = (ev["zone"] == zone) | (ev["event_id"] == report.event)
    ev = ev[mine & (ev["status"] != "cancelled")].drop_duplicates("event_id")
    ev = ev[(ev["end"] > report.start) & (ev["start"] < report.end)]
    for row in ev.to_dict("records"):
        start = pd.Timestamp(row["start"]).tz_convert(tz).tz_localize(None)
        end = pd.Timestamp(row["end"]).tz_convert(tz).tz_localize(None)
        ax.axvline(mdates.date2num(start), color=_EVENT, lw=1.4)
        ax.axvline(mdates.date2num(end), color=_EVENT, lw=0.9, ls=":")
        name = str(row["name"])
        ax.annotate(
            f"{name if len(name) <= 30 else name[:28] + '…'} {start:%H:%M}",
            xy=(start, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(0, 3),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=8.5,
            color=_EVENT,
            annotation_clip=False,
        )


def _axes(fig: Any, report: PlanReport) -> tuple[Axes, Axes]:
    """Two panels sharing the count axis: before the window (narrower) and the window."""
    before = (report.start - report.forecast["timestamp"].min() + _HISTORY_SPAN) / pd.Timedelta(
        "1h"
    )
    during = (report.end - report.start) / pd.Timedelta("1h")
    ratio = float(np.clip(during / max(before, 1) * 2.0, 1.2, 2.2))
    left, right = fig.subplots(1, 2, sharey=True, gridspec_kw={"width_ratios": [1, ratio]})
    return left, right


def timeline_svg(
    report: PlanReport, zone: str, words: Words, thresholds: Mapping[str, float], unit: str
) -> str:
    """One zone's timeline in two panels sharing the count axis.

    Left: the last two days counted and the forecast up to the window; right,
    wider: the planning window. Both show the forecast's P50 line and 80 %
    band (with a scenario, the base P50 dashed) and the level thresholds in
    view as dashed lines; the window shows the zone's events as markers.
    """
    import matplotlib.dates as mdates
    import matplotlib.ticker as mticker

    fig = _figure((9.8, 3.0))
    before, window = _axes(fig, report)
    tz = report.site.timezone
    top = max(_draw_forecast(ax, report, zone, words) for ax in (before, window))
    shown = _in_view(thresholds, top)
    for ax in (before, window):
        _draw_levels(ax, list(thresholds), shown, ax is window, words)
    _draw_events(window, report, zone)
    start = report.start.tz_convert(tz).tz_localize(None)
    end = report.end.tz_convert(tz).tz_localize(None)
    origin = report.forecast["timestamp"].min().tz_convert(tz).tz_localize(None)
    before.axvline(origin, color="#888888", lw=0.8)
    before.set_xlim(mdates.date2num(origin - _HISTORY_SPAN), mdates.date2num(start))
    window.set_xlim(mdates.date2num(start), mdates.date2num(end))
    before.set_ylim(0, max(top, *shown.values(), 1) * 1.12)
    step = max(1, int(np.ceil((end - start) / pd.Timedelta("1h") / 12)))
    window.xaxis.set_major_locator(mdates.HourLocator(byhour=range(start.hour % step, 24, step)))
    window.xaxis.set_major_formatter(mdates.DateFormatter("%H:%M"))
    days = max(1, int(np.ceil((start - origin + _HISTORY_SPAN).days / 5)))
    before.xaxis.set_major_locator(mdates.DayLocator(interval=days))
    before.xaxis.set_major_formatter(
        mticker.FuncFormatter(lambda v, _: words.day(mdates.num2date(v)))
    )
    before.yaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _: words.number(v)))
    before.set_ylabel(unit)
    before.set_title(words["panel_before"], fontsize=9, loc="left", color="#5b6470")
    window.set_title(words["panel_window"], fontsize=9, loc="left", color="#5b6470")
    window.set_xlabel(words.text("axis_time", timezone=tz), fontsize=8.5)
    for ax in (before, window):
        ax.grid(axis="y", color="#e4e4e4", lw=0.6)
        ax.spines[["top", "right"]].set_visible(False)
        ax.tick_params(labelsize=8.5)
    window.tick_params(axis="x", labelrotation=0)
    handles, labels = window.get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside upper left", ncols=4, frameon=False, fontsize=8.5)
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None})
    return clean_svg(buf.getvalue())
