"""Small IAM statement helpers, so every policy document is built the same reviewable way.

Statements are plain dicts that may hold Outputs (ARNs); :func:`document` turns them into the JSON
string Output AWS expects. Each helper takes named resources: a wildcard resource needs a comment
at the call site that says why AWS requires it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi

Statement = dict[str, Any]


@dataclass(frozen=True)
class KeyPolicyScope:
    """The plain names a key-policy statement is scoped with; known before the key exists."""

    account_id: str
    region: str
    partition: str
    name_prefix: str


# Statements a component needs in the stack key's policy: for AWS services that use the key as
# themselves (CloudTrail, CloudWatch alarms publishing to an encrypted topic), scoped to its resources.
KeyGrant = Callable[[KeyPolicyScope], Sequence[Statement]]


def _statement(
    effect: str,
    sid: str,
    actions: Sequence[str],
    resources: Sequence[Any] | Any,
    principal: Mapping[str, Any] | str | None = None,
    conditions: Mapping[str, Mapping[str, Any]] | None = None,
) -> Statement:
    statement: Statement = {"Sid": sid, "Effect": effect, "Action": list(actions)}
    if principal is not None:
        statement["Principal"] = principal
    if resources is not None:  # trust policies have no Resource element
        statement["Resource"] = list(resources) if isinstance(resources, (list, tuple)) else resources
    if conditions:
        statement["Condition"] = {operator: dict(values) for operator, values in conditions.items()}
    return statement


def allow(sid: str, actions: Sequence[str], resources: Any, **kwargs: Any) -> Statement:
    """An Allow statement on named resources."""
    return _statement("Allow", sid, actions, resources, **kwargs)


def deny(sid: str, actions: Sequence[str], resources: Any, **kwargs: Any) -> Statement:
    """A Deny statement (guardrails such as 'deny non-TLS')."""
    return _statement("Deny", sid, actions, resources, **kwargs)


def service_principal(*services: str) -> dict[str, Any]:
    """``{"Service": ...}`` for one or more AWS service principals."""
    return {"Service": services[0] if len(services) == 1 else list(services)}


def document(*statements: Statement) -> pulumi.Output[str]:
    """A policy document JSON string; Outputs inside the statements are resolved first."""
    return pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": list(statements)})


def document_from(build: Callable[..., Sequence[Statement]], *inputs: pulumi.Input[str]) -> pulumi.Output[str]:
    """A policy document from a pure statement builder that needs plain strings (ARN parts).

    Builders that format ARNs with f-strings must see resolved values, never Outputs.
    """
    return pulumi.Output.all(*inputs).apply(lambda values: document(*build(*values)))


def assume_role_policy(service: str, source_account: Any) -> pulumi.Output[str]:
    """Trust policy for an AWS service, scoped to this account (confused-deputy protection)."""
    return document(
        allow(
            "TrustService",
            ["sts:AssumeRole"],
            resources=None,
            principal=service_principal(service),
            conditions={"StringEquals": {"aws:SourceAccount": source_account}},
        )
    )
