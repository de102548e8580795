"""Privacy by design: ingress guard, purpose binding, egress suppression, model card, audit.

- :func:`guard_ingress` (run by every CSV/Parquet reader) refuses identifiers and
  record-level data and drops the columns a contract does not need;
- :func:`check_purpose` binds sources to the purposes their site profile declares;
- :func:`suppress` and :func:`publish_table` keep small counts out of published output;
- :func:`model_card` documents a fitted model without the confidential site weights;
- :class:`AuditLog` keeps an append-only record of runs.
"""

from crowdcast.privacy._audit import AuditLog, file_fingerprint
from crowdcast.privacy._card import ModelCard, model_card
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
    "ModelCard",
    "PublishedTable",
    "check_purpose",
    "file_fingerprint",
    "guard_ingress",
    "identifier_kind",
    "model_card",
    "publish_table",
    "sources_for",
    "suppress",
    "suppression_threshold",
    "validate_purpose",
]
