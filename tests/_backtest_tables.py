"""Small backtest tables written out by hand, for the tests of the technology KPIs."""

from __future__ import annotations

import pandas as pd

NAN = float("nan")
T0 = pd.Timestamp("2024-06-03 06:00", tz="UTC")  # a Monday; 08:00 in Europe/Amsterdam (UTC+2)


def hours(n: float) -> pd.Timedelta:
    return pd.Timedelta(hours=n)


def backtest_table(
    actual: list[float],
    q05: list[float],
    *,
    model: str = "m",
    zone: str | list[str] = "square",
    origin: pd.Timestamp = T0,
    q01: list[float] | None = None,
    q09: list[float] | None = None,
    event: bool | list[bool] = False,
    scale: float | list[float] = 1.0,
) -> pd.DataFrame:
    """A backtest table of one forecast: hourly targets from ``origin``, horizon 1..n."""
    n = len(actual)
    return pd.DataFrame(
        {
            "model": model,
            "fold": 0,
            "origin": origin,
            "zone": zone,
            "timestamp": [origin + hours(h) for h in range(n)],
            "horizon": list(range(1, n + 1)),
            "q0.1": q01 if q01 is not None else [NAN] * n,
            "q0.5": q05,
            "q0.9": q09 if q09 is not None else [NAN] * n,
            "actual": actual,
            "event": event,
            "scale": scale,
        }
    )


def two_models() -> pd.DataFrame:
    """Two models on the same 4 hours; the actual of hour 3 is missing.

    actual   10   20   NaN  30
    good     12   18   50   30   q0.1 = q0.5 - 5, q0.9 = q0.5 + 5
    naive    10   10   10   10   (no q0.1 / q0.9)
    scale     2 for every row
    """
    good = backtest_table(
        [10.0, 20.0, NAN, 30.0],
        [12.0, 18.0, 50.0, 30.0],
        model="good",
        q01=[7.0, 13.0, 45.0, 25.0],
        q09=[17.0, 23.0, 55.0, 35.0],
        event=[False, True, True, False],
        scale=2.0,
    )
    naive = backtest_table(
        [10.0, 20.0, NAN, 30.0],
        [10.0, 10.0, 10.0, 10.0],
        model="naive",
        event=[False, True, True, False],
        scale=2.0,
    )
    return pd.concat([good, naive], ignore_index=True)
