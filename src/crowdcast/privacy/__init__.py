"""Privacy by design: ingress guard, purpose binding, egress suppression, audit.

- :func:`guard_ingress` (run by every CSV/Parquet reader) refuses identifiers and
  record-level data and drops the columns a contract does not need;
- :func:`check_purpose` binds sources to the purposes their site profile declares;
- :func:`suppress` and :func:`publish_table` keep small counts out of published output;
- :class:`AuditLog` keeps an append-only record of runs.

The model card, which documents a fitted model for publication, is a report:
:func:`crowdcast.report.model_card`.
"""

from crowdcast.privacy._audit import AuditLog, file_fingerprint
from crowdcast.privacy._egress import (
    PublishedTable,
    publish_table,
    suppress,
    suppression_threshold,
)
from crowdcast.privacy._ingress import guard_ingress, identifier_kind
from crowdcast.privacy._purpose import check_purpose, sources_for, validate_purpose

__all__ = [
    "AuditLog",
    "PublishedTable",
    "check_purpose",
    "file_fingerprint",
    "guard_ingress",
    "identifier_kind",
    "publish_table",
    "sources_for",
    "suppress",
    "suppression_threshold",
    "validate_purpose",
]
