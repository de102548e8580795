"""A tiny site profile for the risk tests: one zone of each kind, two bars."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from crowdcast.profiles import SiteProfile, load_site_profile

SITE = """
[site]
id = "riskdorp"
timezone = "Europe/Amsterdam"
country = "NL"

[[zones]]
id = "square"
measure = "occupancy"
area_m2 = 100.0

[[zones]]
id = "street"
measure = "passages"
width_m = 2.0
tags = ["nightlife"]

[[zones]]
id = "lane"
measure = "occupancy"

[[venues]]
id = "bar_a"
zone = "street"
tags = ["horeca", "licensed"]

[[venues]]
id = "bar_b"
zone = "street"
tags = ["horeca", "licensed"]

[[venues]]
id = "shop"
zone = "square"
tags = ["retail"]

[[venues]]
id = "bar_c"
zone = "square"
tags = ["licensed"]
"""


TAUS = np.array([0.1, 0.5, 0.9])


def reference_quantile_function(v: np.ndarray, taus: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Q(u): linear between quantiles, tails with the nearest segment's slope, clipped at 0."""
    s_lo = (v[1] - v[0]) / (taus[1] - taus[0])
    s_hi = (v[-1] - v[-2]) / (taus[-1] - taus[-2])
    q = np.interp(u, taus, v)
    q = np.where(u < taus[0], v[0] - s_lo * (taus[0] - u), q)
    q = np.where(u > taus[-1], v[-1] + s_hi * (u - taus[-1]), q)
    return np.maximum(q, 0.0)


def make_site(tmp_path: Path, weights: str = "", name: str = "site.toml") -> SiteProfile:
    path = tmp_path / name
    path.write_text(SITE + weights, encoding="utf-8")
    return load_site_profile(path)


def forecast(
    zone: str, rows: list[tuple[float, float, float]], start: str = "2024-06-01 10:00"
) -> pd.DataFrame:
    t0 = pd.Timestamp(start, tz="UTC")
    fc = pd.DataFrame(
        {
            "zone": zone,
            "origin": t0,
            "timestamp": [t0 + pd.Timedelta(hours=h) for h in range(len(rows))],
            "horizon": range(1, len(rows) + 1),
            "q0.1": [r[0] for r in rows],
            "q0.5": [r[1] for r in rows],
            "q0.9": [r[2] for r in rows],
        }
    )
    fc.attrs["provenance"] = {"freq": "0 days 01:00:00"}
    return fc
