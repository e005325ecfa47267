"""AuditTrail: a multi-region CloudTrail trail to an Object Lock audit bucket and a watched log group.

As a library, give the foundation the trail's key grant and the same name prefix::

    lake = DataLakeFoundation("lake", name_prefix="acme-prod", key_grants=[key_grant])
    AuditTrail("audit", foundation=lake, name_prefix="acme-prod")
"""

from .access import key_grant
from .component import REGISTRATION, AuditTrail, AuditTrailOutputs
from .config import AuditTrailConfig, ObjectLockConfig

__all__ = ["REGISTRATION", "AuditTrail", "AuditTrailConfig", "AuditTrailOutputs", "ObjectLockConfig", "key_grant"]
