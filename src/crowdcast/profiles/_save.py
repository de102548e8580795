"""Save a site profile with new weights, beside the file it came from (never over it)."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable
from pathlib import Path

import tomli_w

from crowdcast._validation import atomic_write
from crowdcast.exceptions import ConfigError, ParameterError, Problem
from crowdcast.profiles._model import IndicatorWeight, SiteProfile
from crowdcast.profiles._site import load_site_profile, site_from_document

__all__ = ["save_site_profile"]


def save_site_profile(
    site: SiteProfile,
    path: str | Path,
    weights: Iterable[IndicatorWeight] | IndicatorWeight,
    *,
    overwrite: bool = False,
) -> SiteProfile:
    """Save a NEW site profile: ``site``'s file with these weights replacing the same ones.

    A weight replaces the site's weight for the same indicator and target;
    the other weights stay. Source paths are rewritten relative to the new
    file. Never edits the generic library, never overwrites an existing file
    unless ``overwrite=True``; the file holds the confidential weights, so it
    is readable by its owner only. The new profile is validated by the
    loader's rules before anything is written (a negative weight is a
    ConfigError and no file), and returned as loaded from the new file.

    Examples
    --------
    >>> import tempfile, pathlib, crowdcast as cc
    >>> site = cc.load_site_profile(cc.sample_path() / "site.toml")
    >>> weight = IndicatorWeight("alcohol_aggression", "site", 1.2, source="expert")
    >>> new = save_site_profile(site, pathlib.Path(tempfile.mkdtemp()) / "s.toml", weight)
    >>> new.weight("alcohol_aggression")
    1.2
    """
    site.require_full("save_site_profile")
    if site.path is None:
        raise ParameterError(
            [
                Problem(
                    "`site`",
                    "a site profile loaded from a file",
                    "a profile without a path",
                    hint="load it with load_site_profile(path): the new file is written from it",
                )
            ]
        )
    new = [weights] if isinstance(weights, IndicatorWeight) else list(weights)
    targets = (
        {"site"} | {f"zone:{z}" for z in site.zone_ids} | {f"venue:{v.id}" for v in site.venues}
    )
    bad = [w for w in new if w.target not in targets]
    if bad:
        raise ConfigError(
            [
                Problem(
                    f"the target of weight {w.indicator!r}",
                    "'site', 'zone:<id>' or 'venue:<id>' of this profile",
                    repr(w.target),
                    hint="weights may only name zones and venues defined in the site profile",
                )
                for w in bad
            ],
            title="Invalid weights",
        )
    with site.path.open("rb") as fh:
        doc = tomllib.load(fh)
    out_path = Path(path).resolve()
    replaced = {(w.indicator, w.target) for w in new}
    kept = [
        t
        for t in doc.get("weights", [])
        if (t.get("indicator"), t.get("target", "site")) not in replaced
    ]
    doc["weights"] = kept + [w.to_dict() for w in new]
    for table, source in zip(doc.get("sources", []), site.sources, strict=False):
        table["path"] = Path(os.path.relpath(source.path.resolve(), out_path.parent)).as_posix()
    # validate the whole new profile before writing: an invalid weight (negative, NaN,
    # an unknown source) must not leave a file behind
    site_from_document(doc, out_path, source=f"{out_path} (not written)")
    header = (
        f"# Site profile {site.id!r}, written by crowdcast from {site.path.name} "
        "with calibrated weights.\n# LOCAL and CONFIDENTIAL: it holds the site weights.\n\n"
    )
    # the profile holds the site weights: readable by its owner only
    atomic_write(out_path, header + tomli_w.dumps(doc), overwrite=overwrite, mode=0o600)
    return load_site_profile(out_path)
