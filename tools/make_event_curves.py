"""Write crowdcast's default event curves (``src/crowdcast/data/event_curves.toml``).

They are what ``calibrate_events`` learns from the simulated sample city, rounded
to 4 significant digits, with their source in each entry. A site's own curves
replace them for every category it has a history of. ``tests/test_models_events.py``
checks that the shipped file is what this script writes.

Run: ``.venv/bin/python tools/make_event_curves.py``
"""

from __future__ import annotations

import dataclasses

import numpy as np
import tomli_w

import crowdcast as cc
from crowdcast.models import calibrate_events
from crowdcast.profiles import DEFAULT_CURVES_PATH, PHASES
from crowdcast.profiles._events import DEFAULT_CURVES_SOURCE

HEADER = """\
# crowdcast's default event curves: for each category, the fraction of the
# attendance present in the event's own zone (occupancy) or passing it per hour
# (passages), per bin of each phase (crowdcast.profiles.BINS): arrival -6..0 h
# before the start, during 0..24 h since the start (repeating daily), egress
# 0..4 h after the end. Generic and publishable: no place in them.
# Written by tools/make_event_curves.py; do not edit by hand.

"""


def text() -> str:
    """The file's content, from the sample city."""
    response = calibrate_events(cc.load_sample())
    entries = []
    for curve in response.curves.values():
        rounded = {p: tuple(float(f"{v:.4g}") for v in curve.phase(p)) for p in PHASES}
        entries.append(
            dataclasses.replace(curve, **rounded, source=DEFAULT_CURVES_SOURCE).to_dict()
        )
    return HEADER + tomli_w.dumps({"event_curves": entries})


if __name__ == "__main__":
    np.seterr(all="ignore")
    DEFAULT_CURVES_PATH.write_text(text())
    print(f"wrote {DEFAULT_CURVES_PATH}")
