"""Features that do not change with time: the zone's identity and shape, the horizon."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from crowdcast._city import City
from crowdcast._validation import check_is_fitted
from crowdcast.features._base import FeatureTransformer

__all__ = ["HorizonFeature", "StaticFeatures"]

_NUMBERS = ("area_m2", "width_m", "capacity")


class StaticFeatures(FeatureTransformer):
    """The zone: a stable code, its size and kind from the site profile, its tags.

    Columns: ``zone_code`` (position of the zone among the sorted zones of
    the training rows; -1 for a zone not seen in ``fit``) and, when
    ``data.site`` is given in ``fit``, ``area_m2``, ``width_m``,
    ``capacity`` (NaN when the profile leaves them out), ``is_passages``
    (the zone counts people passing rather than present) and one binary
    ``tag_<tag>`` per tag of the site's zones (sorted; characters other than
    letters, digits and ``_`` become ``_``).

    Attributes
    ----------
    zones_
        The sorted training zones; ``zone_code`` is the position in it.
    tags_
        The tags seen in ``fit`` as they appear in column names (sorted), or
        None without a site.
    """

    _categorical = ("zone_code",)

    def get_feature_names_out(self) -> list[str]:
        check_is_fitted(
            self, "zones_", call="fit(rows, data)", why="its columns depend on the site's zones"
        )
        if self.tags_ is None:
            return ["zone_code"]
        return ["zone_code", *_NUMBERS, "is_passages", *(f"tag_{t}" for t in self.tags_)]

    def get_code_labels(self) -> dict[str, dict[int, str]]:
        zones = getattr(self, "zones_", ())
        return {"zone_code": {-1: "a zone not seen in fit", **dict(enumerate(zones))}}

    def _fit(self, rows: pd.DataFrame, data: City) -> None:
        self.zones_ = tuple(sorted(map(str, pd.unique(rows["zone"]))))
        site = data.site
        if site is None:
            self.tags_ = None
            self.table_ = pd.DataFrame(index=pd.Index([], dtype=object))
            return
        self.tags_ = tuple(sorted({_name(t) for z in site.zones for t in z.tags}))
        table = {
            "area_m2": [z.area_m2 for z in site.zones],
            "width_m": [z.width_m for z in site.zones],
            "capacity": [z.capacity for z in site.zones],
            "is_passages": [int(z.measure == "passages") for z in site.zones],
        }
        for tag in self.tags_:
            table[f"tag_{tag}"] = [int(tag in map(_name, z.tags)) for z in site.zones]
        frame = pd.DataFrame(table, index=pd.Index(site.zone_ids, dtype=object))
        frame[list(_NUMBERS)] = frame[list(_NUMBERS)].astype(np.float64)
        self.table_ = frame

    def _transform(self, rows: pd.DataFrame, data: City) -> pd.DataFrame:
        codes, found = pd.factorize(rows["zone"])
        uniques = pd.Index(np.asarray(found, dtype=object))
        out = {"zone_code": pd.Index(self.zones_, dtype=object).get_indexer(uniques)[codes]}
        if self.tags_ is not None:
            at = self.table_.index.get_indexer(uniques)
            for name in self.get_feature_names_out()[1:]:
                column = self.table_[name].to_numpy()
                if name in _NUMBERS:
                    values = np.where(at >= 0, column[np.maximum(at, 0)], np.nan)
                else:
                    values = np.where(at >= 0, column[np.maximum(at, 0)], 0).astype(np.int8)
                out[name] = values[codes]
        return pd.DataFrame(out, index=rows.index)


def _name(tag: str) -> str:
    return re.sub(r"\W", "_", tag)


class HorizonFeature(FeatureTransformer):
    """The horizon itself (1 = the interval starting at the origin): column ``horizon``.

    Examples
    --------
    >>> HorizonFeature().get_feature_names_out()
    ['horizon']
    """

    def get_feature_names_out(self) -> list[str]:
        return ["horizon"]

    def _transform(self, rows: pd.DataFrame, data: City) -> pd.DataFrame:
        return pd.DataFrame({"horizon": rows["horizon"].to_numpy(np.int64)}, index=rows.index)
