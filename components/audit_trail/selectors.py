"""Which events the trail records: CloudTrail advanced event selectors.

Management events are recorded in full (read and write; KMS and Glue calls are management events
and stay in: no ``eventSource`` is excluded). S3 data events are recorded only on the lake's zone
buckets, matched by ARN prefix, so the trail never records its own deliveries to the audit bucket
(a loop that would log each log file it writes).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .config import DataEvents

# readOnly is "true" for reads (GetObject, HeadObject, ...), "false" for writes (PutObject, DeleteObject, ...).
_READ_ONLY = {"read": ["true"], "write": ["false"]}


def advanced_event_selectors(zone_bucket_arns: Sequence[str], data_events: DataEvents) -> list[dict[str, Any]]:
    """Management events always; S3 object events on ``zone_bucket_arns`` as ``data_events`` says."""
    selectors: list[dict[str, Any]] = [
        {
            "name": "Management events, read and write (KMS and Glue included)",
            "field_selectors": [{"field": "eventCategory", "equals": ["Management"]}],
        }
    ]
    if data_events == "none":
        return selectors
    fields: list[dict[str, Any]] = [
        {"field": "eventCategory", "equals": ["Data"]},
        {"field": "resources.type", "equals": ["AWS::S3::Object"]},
        # The trailing "/" keeps a bucket whose name merely starts with a zone bucket's name out.
        {"field": "resources.ARN", "starts_withs": [f"{arn}/" for arn in zone_bucket_arns]},
    ]
    if data_events in _READ_ONLY:
        fields.append({"field": "readOnly", "equals": _READ_ONLY[data_events]})
    selectors.append(
        {"name": f"S3 object events ({data_events}) on the lake's zone buckets", "field_selectors": fields}
    )
    return selectors
