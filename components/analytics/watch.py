"""What an operator of the workgroup watches: the bytes its queries scan, which is what Athena bills."""

from __future__ import annotations

from typing import Any

from ..alarms import Alarm

GIB = 1024**3
BYTES_SCANNED_PER_HOUR = 100 * GIB  # about $0.50 an hour at $5 per TiB


def workgroup_alarms(workgroup: Any) -> list[Alarm]:
    """Athena publishes query metrics per workgroup, query state and query type (all three dimensions)."""
    return [
        Alarm(
            name="bytes-scanned",
            metric="ProcessedBytes",
            namespace="AWS/Athena",
            dimensions={"WorkGroup": workgroup, "QueryState": "SUCCEEDED", "QueryType": "DML"},
            statistic="Sum",
            threshold=BYTES_SCANNED_PER_HOUR,
            unit="Bytes",
            period_seconds=3600,
            runbook="Queries in the workgroup scanned over 100 GiB in an hour: find the heavy ones in the query "
            "history (filters on partition columns, gold instead of silver) before the bill does.",
        )
    ]
