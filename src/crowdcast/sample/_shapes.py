"""Small smooth shapes the simulator builds daily rhythms and event curves from.

A daily rhythm is a sum of :class:`Peak` (a Gaussian bump) and :class:`Block`
(a plateau with soft edges) components, each active on some days of the week.
Hours past midnight belong to the day the night started on: a ``Peak`` at hour
24.5 on ``"Fri"`` is Saturday 00:30, so nights are written where people think
of them. Event curves use the same two shapes on hours relative to the event.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["Block", "Peak", "ar1", "day_mask", "rhythm", "smooth_box"]

_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def day_mask(days: str) -> np.ndarray:
    """Which weekdays (Mon=0 .. Sun=6) a spec like ``"Mon-Fri"``, ``"Sat,Sun"`` or ``"all"`` names.

    Ranges wrap around the week (``"Sun-Tue"``).

    Examples
    --------
    >>> day_mask("Fri-Sun").nonzero()[0].tolist()
    [4, 5, 6]
    """
    mask = np.zeros(7, dtype=bool)
    if days == "all":
        mask[:] = True
        return mask
    for part in days.split(","):
        first, _, last = part.strip().partition("-")
        i = _DAY_NAMES.index(first)
        j = _DAY_NAMES.index(last) if last else i
        span = (j - i) % 7
        mask[[(i + k) % 7 for k in range(span + 1)]] = True
    return mask


def smooth_box(
    x: np.ndarray, start: float | np.ndarray, end: float | np.ndarray, edge: float
) -> np.ndarray:
    """1 between ``start`` and ``end``, 0 outside, with logistic edges of scale ``edge``."""
    with np.errstate(over="ignore"):
        return 1.0 / ((1.0 + np.exp((start - x) / edge)) * (1.0 + np.exp((x - end) / edge)))


@dataclass(frozen=True)
class Peak:
    """A Gaussian bump: ``height`` at hour ``at`` (may exceed 24 for nights), sd ``width`` h."""

    days: str
    at: float
    width: float
    height: float

    def value(self, hour: np.ndarray) -> np.ndarray:
        return self.height * np.exp(-0.5 * ((hour - self.at) / self.width) ** 2)


@dataclass(frozen=True)
class Block:
    """A plateau of ``height`` from hour ``start`` to ``end`` with soft edges (``edge`` h)."""

    days: str
    start: float
    end: float
    height: float
    edge: float = 0.5

    def value(self, hour: np.ndarray) -> np.ndarray:
        return self.height * smooth_box(hour, self.start, self.end, self.edge)


def rhythm(
    components: Sequence[Peak | Block],
    hour: np.ndarray,
    day: np.ndarray,
    previous_day: np.ndarray,
) -> np.ndarray:
    """Evaluate a daily rhythm at local ``hour`` (fractional) of day type ``day``.

    ``day`` and ``previous_day`` are day types 0..6 (Mon..Sun; public holidays
    count as Sunday). A component also reaches into the next morning, evaluated
    at ``hour + 24`` on the day after one of its days.
    """
    out = np.zeros(hour.shape, dtype="float64")
    for c in components:
        mask = day_mask(c.days)
        today = mask[day]
        after = mask[previous_day]
        if today.any():
            out[today] += c.value(hour[today])
        if after.any():
            out[after] += c.value(hour[after] + 24.0)
    return out


def ar1(rng: np.random.Generator, n: int, phi: float, sd: float = 1.0) -> np.ndarray:
    """A stationary AR(1) series of length ``n`` with lag-one correlation ``phi`` and sd ``sd``.

    Computed without a loop as the moving sum of innovations weighted by
    ``phi ** j``, truncated where the weight falls below 1e-6.
    """
    if not 0.0 <= phi < 1.0:
        raise ValueError(f"phi must be in [0, 1), got {phi}")
    lags = 1 if phi == 0.0 else int(np.ceil(np.log(1e-6) / np.log(phi)))
    eps = rng.standard_normal(n + lags - 1) * np.sqrt(1.0 - phi * phi)
    kernel = phi ** np.arange(lags)
    return sd * np.convolve(eps, kernel, mode="valid")
