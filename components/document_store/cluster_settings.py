"""Pure decisions about the DocumentDB cluster: its physical names, parameters, log exports, and
which secret DocumentDB made for it (tested without Pulumi)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pulumi_aws.docdb.outputs import ClusterMasterUserSecret

from .config import DocumentStoreConfig

LOG_EXPORTS = ("audit", "profiler")


def cluster_identifier(prefix: str) -> str:
    """``lakehouse-prod-documents``: stable, so the cluster is never replaced by a rename."""
    return f"{prefix}-documents"


def log_group_name(cluster_id: str, export: str) -> str:
    """The log group DocumentDB writes an export to (it must exist, encrypted, before the cluster)."""
    return f"/aws/docdb/{cluster_id}/{export}"


def parameters(config: DocumentStoreConfig) -> list[dict[str, str]]:
    """TLS required, DDL and authentication auditing, and slow-operation profiling."""
    return [
        {"name": "tls", "value": "enabled"},
        {"name": "audit_logs", "value": "enabled"},
        {"name": "profiler", "value": "enabled"},
        {"name": "profiler_threshold_ms", "value": str(config.profiler_threshold_ms)},
    ]


def deletion_settings(cluster_id: str, config: DocumentStoreConfig) -> dict[str, Any]:
    """Deletion protection and the final snapshot the cluster leaves when it is deleted."""
    settings: dict[str, Any] = {
        "deletion_protection": config.deletion_protection,
        "skip_final_snapshot": not config.final_snapshot,
    }
    if config.final_snapshot:
        settings["final_snapshot_identifier"] = f"{cluster_id}-final"
    return settings


def managed_secret_arn(secrets: Sequence[ClusterMasterUserSecret] | None) -> str | None:
    """The ARN of the master-user secret DocumentDB manages (``master_user_secrets[0]``), once known."""
    return secrets[0].secret_arn if secrets else None
