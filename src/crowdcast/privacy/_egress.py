"""Egress suppression: small counts never leave crowdcast in anything meant for publication.

Following practice ("fewer than 15 per hour is shown as 0"), a value below the
site's threshold ``k`` per hour, scaled to the interval (``k * interval / 1 h``),
is **shown as 0 and flagged** in a boolean ``suppressed`` column. Every published
value is therefore either 0 or at least the threshold; a true 0 is below the
threshold too and is suppressed like any other small value, so a flag never
reveals "small but not zero". Not-observed values (NaN) stay NaN.

Tables released with totals, or at several granularities, go through
:func:`crowdcast.privacy.publish_table` and :class:`crowdcast.privacy.Publication`
(``_publication``), which add *complementary* suppression by linear
programming (``_protect``).

Internal model training reads the unsuppressed data: suppression is for egress.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np
import pandas as pd

from crowdcast._validation import Interval, Problems, describe_value
from crowdcast.exceptions import ParameterError, Problem
from crowdcast.profiles import SiteProfile
from crowdcast.schemas import HOUR, as_timedelta, infer_freq, quantile_columns

__all__ = [
    "K_RULE",
    "TOTALS",
    "interval_of",
    "k_per_hour",
    "published_column",
    "suppress",
    "suppression_threshold",
]

#: The number rule of ``site_or_k`` (a NaN, a boolean or a negative count is refused).
K_RULE = Interval(0, None, expectation="a count k >= 0 per hour")
TOTALS = ("zone", "timestamp")


def k_per_hour(site_or_k: SiteProfile | float) -> float:
    """``k`` per hour: the site's ``privacy.min_count_per_hour``, or ``k`` itself."""
    if isinstance(site_or_k, SiteProfile):
        return float(site_or_k.privacy.min_count_per_hour)
    if K_RULE(site_or_k):
        return float(site_or_k)
    raise ParameterError(
        [
            Problem(
                "`site_or_k`", f"a SiteProfile or {K_RULE.expectation}", describe_value(site_or_k)
            )
        ]
    )


def interval_of(table: pd.DataFrame, freq: str | pd.Timedelta | None) -> pd.Timedelta:
    if freq is not None:
        return as_timedelta(freq)
    known = table.attrs.get("provenance", {}).get("freq")
    if known:
        return as_timedelta(known)
    if {"zone", "timestamp"} <= set(table.columns):
        return infer_freq(table["timestamp"], by=table["zone"])
    raise ParameterError([Problem("`freq`", "given for a table without timestamps", "None")])


def suppression_threshold(site_or_k: SiteProfile | float, freq: str | pd.Timedelta = "1h") -> float:
    """The smallest publishable value per interval: ``k * interval / 1 h``.

    >>> suppression_threshold(15, "15min")
    3.75
    """
    return k_per_hour(site_or_k) * (as_timedelta(freq) / HOUR)


def _value_columns(table: pd.DataFrame, values: Sequence[str] | None) -> list[str]:
    if values is not None:
        cols = list(values)
    elif "count" in table.columns:
        cols = ["count"]
    else:
        cols = [*quantile_columns(table), *(["mean"] if "mean" in table.columns else [])]
    missing = [c for c in cols if c not in table.columns]
    if not cols or missing:
        raise ParameterError(
            [
                Problem(
                    "`values`",
                    "value columns of the table (count, q0.1, ..., mean)",
                    f"{missing or 'none'} among {list(table.columns)}",
                )
            ]
        )
    return cols


def suppress(
    table: pd.DataFrame,
    site_or_k: SiteProfile | float,
    *,
    freq: str | pd.Timedelta | None = None,
    values: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Show every value below ``k`` per hour (scaled to the interval) as 0 and flag its row.

    Parameters
    ----------
    table
        Counts (``zone, timestamp, count``) or a forecast (``q0.1``, ``q0.5``, ...).
    site_or_k
        A site profile (its ``privacy.min_count_per_hour``) or ``k`` itself.
    freq
        The interval; from the forecast's provenance or inferred when omitted.
    values
        The value columns; ``count``, else every quantile column and ``mean``.

    Returns
    -------
    pandas.DataFrame
        A copy with small values set to 0 and a boolean ``suppressed`` column
        (True when any value of the row was suppressed). Quantiles stay sorted.
        ``attrs["suppression"]`` records k, the threshold and the interval.

    Examples
    --------
    >>> t = pd.date_range("2024-06-01", periods=3, freq="h", tz="UTC")
    >>> counts = pd.DataFrame({"zone": "a", "timestamp": t, "count": [3.0, 40.0, float("nan")]})
    >>> suppress(counts, 15)[["count", "suppressed"]].values.tolist()
    [[0.0, True], [40.0, False], [nan, False]]
    """
    cols = _value_columns(table, values)
    step = interval_of(table, freq)
    threshold = suppression_threshold(site_or_k, step)
    out = table.copy()
    flagged = np.zeros(len(out), dtype=bool)
    for c in cols:
        v = out[c].astype("float64")
        small = (v.notna() & (v < threshold)).to_numpy()
        out[c] = v.mask(small, 0.0)
        flagged |= small
    if "suppressed" in out.columns:
        flagged |= out["suppressed"].fillna(False).to_numpy(bool)
    out["suppressed"] = flagged
    out.attrs = {
        **table.attrs,
        "suppression": {
            "k_per_hour": k_per_hour(site_or_k),
            "threshold": threshold,
            "freq": str(step),
            "shown_as": 0,
        },
    }
    return out


def published_column(table: pd.DataFrame, value: str | None, totals: Collection[str]) -> str:
    """The column :func:`publish_table` publishes; every problem with its arguments at once."""
    found = Problems(error=ParameterError)
    unknown = set(totals) - set(TOTALS)
    if unknown:
        found.add("`totals`", f"a subset of {TOTALS!r}", repr(sorted(unknown)))
    col = value or ("count" if "count" in table.columns else "q0.5")
    found.attempt(_value_columns, table, [col])
    if table.duplicated(["zone", "timestamp"]).any():
        found.add(
            "`table`",
            "one row per zone and timestamp (one forecast origin)",
            "repeated (zone, timestamp) pairs",
            hint="publish one origin at a time",
        )
    found.raise_if_any()
    return col
