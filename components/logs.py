"""The platform's CloudWatch Logs group, built one way by every component that keeps one.

Every log group is encrypted with the stack key and expires after a retention from config (never
"forever"); taking both as required arguments keeps a component from forgetting either.
"""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
from pulumi_aws import cloudwatch


def encrypted_log_group(
    resource_name: str,
    *,
    key_arn: pulumi.Input[str],
    retention_days: int,
    tags: Mapping[str, str],
    opts: pulumi.ResourceOptions,
    name: pulumi.Input[str] | None = None,
) -> cloudwatch.LogGroup:
    """A log group encrypted with ``key_arn``, kept ``retention_days`` (a LogRetentionDays value).

    ``name`` is the physical name where a service writes to a fixed one (``/aws/lambda/<function>``);
    without it, Pulumi names the group.
    """
    return cloudwatch.LogGroup(
        resource_name,
        name=name,
        retention_in_days=retention_days,
        kms_key_id=key_arn,
        tags=dict(tags),
        opts=opts,
    )
