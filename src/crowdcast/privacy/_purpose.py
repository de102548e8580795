"""Purpose binding: a source is used only for the purposes its site profile declares.

Every run (``load_city``, ``fit``, ``forecast_city``, the CLI) declares one
purpose from :data:`crowdcast.profiles.PURPOSES`. Using a source for a purpose
it was not declared for is a :class:`PrivacyError` naming the source, its
declared purposes and the requested one: a new use of data is a decision
recorded in the site profile, never a silent reuse (function creep).
"""

from __future__ import annotations

from collections.abc import Collection

from crowdcast._validation import Problems
from crowdcast.exceptions import ParameterError, PrivacyError, Problem
from crowdcast.profiles import PURPOSES, DataSource, SiteProfile

__all__ = ["check_sources_for", "sources_for", "validate_purpose"]


def validate_purpose(purpose: object) -> str:
    """``purpose`` if it is a word of the vocabulary, else a :class:`ParameterError`.

    It checks the word only; :func:`check_sources_for` checks a site's sources
    against it.

    >>> validate_purpose("crowd_safety")
    'crowd_safety'
    """
    if not isinstance(purpose, str) or purpose not in PURPOSES:
        raise ParameterError(
            [
                Problem(
                    "`purpose`",
                    f"one of {', '.join(PURPOSES)}",
                    repr(purpose),
                    hint="every run declares what it is for; see crowdcast.profiles.PURPOSES",
                )
            ]
        )
    return purpose


def _violation(src: DataSource, purpose: str, site: SiteProfile) -> Problem:
    return Problem(
        f"source {src.id!r} ({src.kind})",
        f"declared for purpose {purpose!r} to be used for it",
        f"purposes {', '.join(src.purposes)}",
        source=str(site.path) if site.path is not None else f"site {site.id!r}",
        hint=f"run for one of {', '.join(src.purposes)}, or, if the data protection officer "
        f"agrees, add {purpose!r} to the source's `purposes` in the site profile",
    )


def check_sources_for(
    site: SiteProfile,
    purpose: str,
    *,
    sources: Collection[str] | None = None,
    kinds: Collection[str] | None = None,
) -> None:
    """Raise :class:`PrivacyError` when a source used is not declared for ``purpose``.

    Every source at fault is named with its declared purposes. The purpose
    itself must be a word of the vocabulary (:func:`validate_purpose`).
    :func:`sources_for` gives the sources declared for a purpose. Its name in
    crowdcast 0.1, ``check_purpose``, still works, with a :class:`DeprecationWarning`.

    Parameters
    ----------
    site
        The site profile declaring the sources.
    purpose
        The purpose of the run.
    sources
        Ids of the sources used; all of the site's by default.
    kinds
        Only sources of these kinds (``"counts"``, ``"events"``, ...) are used.

    Examples
    --------
    >>> import crowdcast as cc
    >>> site = cc.load_site_profile(cc.sample_path() / "site.toml")
    >>> check_sources_for(site, "crowd_safety")
    >>> check_sources_for(site, "event_planning", sources=["alcohol_sales"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    crowdcast.exceptions.PrivacyError: Sources used beyond their declared purposes: 1 problem.
    - source 'alcohol_sales' (signals) must be declared for purpose 'event_planning' to be ...
    """
    validate_purpose(purpose)
    found = Problems(error=PrivacyError, title="Sources used beyond their declared purposes")
    found.extend(
        _violation(src, purpose, site)
        for src in site.sources
        if (sources is None or src.id in sources)
        and (kinds is None or src.kind in kinds)
        and purpose not in src.purposes
    )
    found.raise_if_any()


def sources_for(site: SiteProfile, purpose: str) -> tuple[DataSource, ...]:
    """The site's sources declared for ``purpose``.

    >>> import crowdcast as cc
    >>> site = cc.load_site_profile(cc.sample_path() / "site.toml")
    >>> [s.id for s in sources_for(site, "event_planning")]
    ['counts', 'events', 'weather_observed', 'weather_forecasts']
    """
    validate_purpose(purpose)
    return tuple(s for s in site.sources if purpose in s.purposes)
