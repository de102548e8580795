"""Find and load the shipped sample city."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from crowdcast._city import City
from crowdcast.exceptions import ConfigError, Problem
from crowdcast.io import load_city

__all__ = ["load_sample", "sample_path"]


def sample_path() -> Path:
    """The folder holding the sample city's files.

    Installed wheels carry it as package data (``crowdcast/_sample_data``); a
    source checkout reads ``data/sample/`` at the repository root.

    Examples
    --------
    >>> import crowdcast as cc
    >>> (cc.sample_path() / "site.toml").is_file()
    True
    """
    packaged = Path(str(resources.files("crowdcast"))) / "_sample_data"
    checkout = Path(__file__).resolve().parents[3] / "data" / "sample"
    for candidate in (packaged, checkout):
        if (candidate / "site.toml").is_file():
            return candidate
    raise ConfigError(
        [
            Problem(
                "the sample city",
                "shipped with crowdcast",
                f"nothing at {packaged} or {checkout}",
                hint="reinstall crowdcast, or regenerate it with `crowdcast make-sample DIR`",
            )
        ]
    )


def load_sample(*, purpose: str = "crowd_safety") -> City:
    """Load the sample city Havenstad: profile, library and every table, validated.

    The demo declares ``crowd_safety``, the purpose every sample source is declared for.

    Examples
    --------
    >>> import crowdcast as cc
    >>> city = cc.load_sample()
    >>> sorted(city.counts.columns)
    ['count', 'timestamp', 'zone']
    """
    return load_city(sample_path() / "site.toml", purpose=purpose)
