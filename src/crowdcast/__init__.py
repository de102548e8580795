"""crowdcast: forecast crowd density per zone, with uncertainty and risk levels."""

from crowdcast._version import __version__

__all__ = ["__version__"]
