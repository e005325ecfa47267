"""The platform's dead-letter queue: where a failed asynchronous delivery waits for an operator.

Encrypted with the stack key (SQS reuses a data key for five minutes, the default) and kept for
the SQS maximum of 14 days, so that a failure found after a weekend is still there to look at.
"""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
from pulumi_aws import sqs

RETENTION_SECONDS = 14 * 24 * 3600  # the SQS maximum


def dead_letter_queue(
    resource_name: str, *, key_arn: pulumi.Input[str], tags: Mapping[str, str], opts: pulumi.ResourceOptions
) -> sqs.Queue:
    """A queue encrypted with ``key_arn`` that keeps messages as long as SQS allows."""
    return sqs.Queue(
        resource_name,
        kms_master_key_id=key_arn,
        kms_data_key_reuse_period_seconds=300,
        message_retention_seconds=RETENTION_SECONDS,
        tags=dict(tags),
        opts=opts,
    )
