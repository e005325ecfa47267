"""Least privilege: no wildcard admin statements, kms:* only for the account root, no admin attachments."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from . import documents
from . import types as t
from .framework import ADVISORY, MANDATORY, UNKNOWN, get, listed, resource_rule

DOMAIN = "least privilege"
_ROOT = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:root$")
_ADMIN_POLICIES = re.compile(r":policy/(AdministratorAccess|IAMFullAccess)$")


def _wildcard_problems(document: Any, label: str) -> Iterable[str]:
    numbered, problem = documents.numbered_statements(document)
    if problem:
        yield f"{label}: {problem}"
    for index, statement in numbered:
        if not documents.allows(statement):
            continue
        where = f"{label} {documents.sid(statement, index)}"
        if "NotAction" in statement:
            yield f"{where} allows NotAction: everything but a list, which grows with every new AWS action"
        actions = documents.actions(statement)
        resources = [str(r) for r in documents.as_list(statement.get("Resource"))]
        if any(a in ("*", "*:*") for a in actions):
            yield f"{where} allows every action ('*')"
        elif "*" in resources:
            broad = [a for a in actions if a.endswith(":*")]
            if broad:
                yield f"{where} allows {', '.join(broad)} on every resource ('*')"


@resource_rule(
    "iam-no-wildcard-admin",
    "No IAM policy allows '*' actions, NotAction, or 'service:*' on every resource",
    (*t.IAM_POLICY_DOCUMENTS, t.IAM_ROLE),
    MANDATORY,
    DOMAIN,
    checkov=("CKV_AWS_62", "CKV_AWS_63", "CKV_AWS_355", "CKV2_AWS_40"),
)
def no_wildcard_admin(props: Any, config: Any, resource_type: str) -> Iterable[str]:
    if resource_type == t.IAM_ROLE:
        for index, inline in enumerate(listed(get(props, "inlinePolicies"))):
            if inline is UNKNOWN:
                yield "inlinePolicies are unknown at preview, so they cannot be checked"
            else:
                yield from _wildcard_problems(get(inline, "policy"), f"inline policy {get(inline, 'name') or index}")
        return
    yield from _wildcard_problems(get(props, "policy"), "policy")


@resource_rule(
    "kms-key-policy-least-privilege",
    "KMS key policies grant kms:* (or '*') only to the account root; services and roles get named actions",
    (t.KMS_KEY, t.KMS_KEY_POLICY),
    MANDATORY,
    DOMAIN,
    checkov=("CKV_AWS_33",),
)
def key_policy_least_privilege(props: Any, config: Any, _: str) -> Iterable[str]:
    numbered, problem = documents.numbered_statements(get(props, "policy"))
    if problem:
        yield problem
    for index, statement in numbered:
        actions = documents.actions(statement)
        if not documents.allows(statement) or not any(a in ("*", "kms:*") for a in actions):
            continue
        others = [p for p in documents.principals(statement) if not _ROOT.match(p)]
        if others:
            yield f"{documents.sid(statement, index)} grants {'/'.join(actions)} to {', '.join(others)}: only the account root may hold kms:*"


@resource_rule(
    "iam-no-admin-policy-attachment",
    "No role, user or group gets AdministratorAccess or IAMFullAccess",
    (*t.IAM_ATTACHMENTS, t.IAM_ROLE),
    MANDATORY,
    DOMAIN,
    checkov=("CKV_AWS_274", "CKV2_AWS_56"),
)
def no_admin_attachment(props: Any, config: Any, resource_type: str) -> Iterable[str]:
    arns = listed(get(props, "managedPolicyArns")) if resource_type == t.IAM_ROLE else [get(props, "policyArn")]
    for arn in arns:
        if isinstance(arn, str) and _ADMIN_POLICIES.search(arn):
            yield f"{arn} grants administrator or full IAM access"


@resource_rule(
    "iam-no-user-policies",
    "Permissions go to roles, not IAM users (no user policies or user attachments)",
    t.IAM_USER_POLICIES,
    ADVISORY,
    DOMAIN,
    checkov=("CKV_AWS_40",),
)
def no_user_policies(props: Any, config: Any, _: str) -> Iterable[str]:
    yield "attach permissions to a role (assumed by people through SSO), not to an IAM user"


@resource_rule(
    "queue-policy-no-wildcard-actions",
    "SQS queue policies name the actions they allow (no '*' or 'sqs:*')",
    (t.SQS_QUEUE_POLICY, t.SQS_QUEUE),
    MANDATORY,
    DOMAIN,
    checkov=("CKV_AWS_72",),
)
def queue_policy_actions(props: Any, config: Any, _: str) -> Iterable[str]:
    numbered, problem = documents.numbered_statements(get(props, "policy"))
    if problem:
        yield problem
    for index, statement in numbered:
        actions = documents.actions(statement)
        if documents.allows(statement) and any(a in ("*", "sqs:*") for a in actions):
            yield f"{documents.sid(statement, index)} allows {'/'.join(actions)}: name the actions (sqs:SendMessage, ...)"


RULES = [queue_policy_actions, no_wildcard_admin, key_policy_least_privilege, no_admin_attachment, no_user_policies]
