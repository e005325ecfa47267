"""An IAM role with its one inline policy: how every component grants an AWS service access.

Components never attach managed policies: each role gets exactly the statements its builder
derives from named resources, as one inline policy created with the role. Callers that must wait
for the grant (a resource AWS checks the role's access on at creation) depend on the policy.
"""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
from pulumi_aws import iam as aws_iam


def role_with_policy(
    resource_name: str,
    *,
    assume_role_policy: pulumi.Input[str],
    policy: pulumi.Input[str],
    tags: Mapping[str, str],
    opts: pulumi.ResourceOptions,
    description: str | None = None,
    policy_resource_name: str | None = None,
    name: str | None = None,
) -> tuple[aws_iam.Role, aws_iam.RolePolicy]:
    """The role ``resource_name`` and its inline policy ``policy_resource_name`` (default
    ``<resource_name>-policy``). ``name`` is a physical name, only where AWS looks a role up by it."""
    role = aws_iam.Role(
        resource_name,
        name=name,
        description=description,
        assume_role_policy=assume_role_policy,
        tags=dict(tags),
        opts=opts,
    )
    role_policy = aws_iam.RolePolicy(
        policy_resource_name or f"{resource_name}-policy", role=role.id, policy=policy, opts=opts
    )
    return role, role_policy
