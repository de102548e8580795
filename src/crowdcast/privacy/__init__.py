"""Privacy by design: ingress guard, purpose binding, egress suppression, audit.

- :func:`guard_ingress` (run by every CSV/Parquet reader) refuses identifiers and
  record-level data and drops the columns a contract does not need;
  :func:`guard_counts` (run by the counts reader on the parsed rows) refuses
  detection logs;
- :func:`validate_purpose` checks a purpose against the vocabulary
  (:data:`crowdcast.profiles.PURPOSES`); :func:`check_sources_for` checks that
  the sources a run uses are declared for its purpose in the site profile, and
  :func:`sources_for` lists them;
- :func:`suppress` and :func:`publish_table` keep small counts out of published output;
  a :class:`Publication` releases one table at several granularities (hourly and
  daily) protected together;
- :class:`AuditLog` keeps an append-only record of runs.

The model card, which documents a fitted model for publication, is a report:
:func:`crowdcast.report.model_card`.
"""

import warnings
from typing import Any

from crowdcast.privacy._audit import AuditLog, file_fingerprint
from crowdcast.privacy._egress import suppress, suppression_threshold
from crowdcast.privacy._ingress import guard_ingress, identifier_kind
from crowdcast.privacy._publication import Publication, PublishedTable, publish_table
from crowdcast.privacy._purpose import check_sources_for, sources_for, validate_purpose
from crowdcast.privacy._records import guard_counts

__all__ = [
    "AuditLog",
    "Publication",
    "PublishedTable",
    "check_sources_for",
    "file_fingerprint",
    "guard_counts",
    "guard_ingress",
    "identifier_kind",
    "publish_table",
    "sources_for",
    "suppress",
    "suppression_threshold",
    "validate_purpose",
]

#: Old name -> new name. The old names still work, with a DeprecationWarning.
_DEPRECATED = {"check_purpose": "check_sources_for"}


def __getattr__(name: str) -> Any:
    """The deprecated names of :data:`_DEPRECATED`, each with a :class:`DeprecationWarning`."""
    new = _DEPRECATED.get(name)
    if new is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    warnings.warn(
        f"crowdcast.privacy.{name} is deprecated and will be removed; use "
        f"crowdcast.privacy.{new}, the same function under a name that says what it checks",
        DeprecationWarning,
        stacklevel=2,
    )
    return globals()[new]
