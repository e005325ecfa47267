"""What an operator of the replication watches: CloudWatch alarms on DMS's metrics (AWS/DMS) and
an event alert on the replication's state changes (a failed or stopped task is an event, not a metric).
"""

from __future__ import annotations

from typing import Any

from ..alarms import Alarm, EventAlert

NAMESPACE = "AWS/DMS"
GIB = 1024**3


def instance_alarms(instance_id: Any, task_id: Any, allocated_storage_gb: int) -> list[Alarm]:
    """Latency of the task and health of its replication instance.

    Task metrics carry both the instance's identifier and the task's resource identifier (the last
    part of its ARN, which the component sets to the task's name).
    """
    task = {"ReplicationInstanceIdentifier": instance_id, "ReplicationTaskIdentifier": task_id}
    instance = {"ReplicationInstanceIdentifier": instance_id}
    return [
        Alarm(
            name="cdc-latency-source",
            metric="CDCLatencySource",
            namespace=NAMESPACE,
            dimensions=task,
            statistic="Maximum",
            threshold=600,
            unit="Seconds",
            evaluation_periods=3,
            runbook="DMS reads the source's changes over 10 min late: check the source's load, WAL and "
            "replication slot, and the instance's CPU.",
        ),
        Alarm(
            name="cdc-latency-target",
            metric="CDCLatencyTarget",
            namespace=NAMESPACE,
            dimensions=task,
            statistic="Maximum",
            threshold=900,
            unit="Seconds",
            evaluation_periods=3,
            runbook="Changes reach bronze over 15 min after their commit: check the task's log group for S3 "
            "errors, then the instance's CPU and memory (a bigger instance_class).",
        ),
        Alarm(
            name="free-storage-low",
            metric="FreeStorageSpace",
            namespace=NAMESPACE,
            dimensions=instance,
            statistic="Minimum",
            threshold=0.1 * allocated_storage_gb * GIB,
            comparison="LessThanThreshold",
            unit="Bytes",
            runbook="Under 10% of the instance's storage is free (logs, cached changes): raise "
            "instance.allocated_storage_gb before the task stops.",
        ),
        Alarm(
            name="cpu-high",
            metric="CPUUtilization",
            namespace=NAMESPACE,
            dimensions=instance,
            statistic="Average",
            threshold=90,
            unit="Percent",
            evaluation_periods=3,
            runbook="The replication instance is CPU-bound and latency will follow: a larger instance_class.",
        ),
    ]


def state_change_alert(replication_arn: Any, serverless: bool) -> EventAlert:
    """Every state change of the replication (started, stopped, failed): rare, each worth knowing."""
    detail_type = "DMS Replication State Change" if serverless else "DMS Replication Task State Change"
    return EventAlert(
        name="replication-state-change",
        pattern={"source": ["aws.dms"], "detail-type": [detail_type], "resources": [replication_arn]},
        runbook="The CDC replication changed state: if it failed or stopped, read its log group, fix the cause "
        "and resume it (a reload would write the full load again).",
    )
