"""The shipped sample city (Havenstad) and the simulator that makes it."""

from crowdcast.sample._load import load_sample, sample_path
from crowdcast.sample._simulator import make_city

__all__ = ["load_sample", "make_city", "sample_path"]
