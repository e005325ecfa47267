"""Physical names of the audit trail's resources, from the stack's name prefix alone.

The trail's name is fixed so that its ARN is known before it exists: the stack key's policy (built
by the foundation, before the trail) names this trail, and only this trail, as CloudTrail's source.
"""

from __future__ import annotations

import re

# S3 bucket names are at most 63 characters; the audit bucket adds "-audit-" and a 12-digit account id.
_PREFIX = re.compile(r"^[a-z0-9][a-z0-9-]{0,43}$")


def check_name_prefix(name_prefix: str) -> str:
    """A prefix every name below is valid with (S3 bucket names are the strictest)."""
    if not _PREFIX.match(name_prefix):
        raise ValueError(
            f"name_prefix {name_prefix!r} must be 1-44 lowercase letters, digits or '-', starting with a "
            "letter or digit (it names the audit bucket)"
        )
    return name_prefix


def trail_name(name_prefix: str) -> str:
    return f"{name_prefix}-audit"


def trail_arn(partition: str, region: str, account_id: str, name_prefix: str) -> str:
    """A trail's ARN names its home region, even for a multi-region trail."""
    return f"arn:{partition}:cloudtrail:{region}:{account_id}:trail/{trail_name(name_prefix)}"


def bucket_name(name_prefix: str, account_id: str) -> str:
    """Globally unique per account: bucket names are shared by every AWS account."""
    return f"{name_prefix}-audit-{account_id}"


def log_group_name(name_prefix: str) -> str:
    return f"aws-cloudtrail-logs-{name_prefix}"
