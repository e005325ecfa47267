"""Least privilege: no wildcard admin statements, no privilege escalation on every resource, kms:* only
for the account root, no admin attachments."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from . import documents
from . import types as t
from .escalation import PRIVILEGE_ESCALATION_METHODS
from .exposure import RESOURCE_POLICIES
from .framework import ADVISORY, EXCEPTIONS_SCHEMA, MANDATORY, UNKNOWN, get, listed, resource_rule

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
)
def no_user_policies(props: Any, config: Any, _: str) -> Iterable[str]:
    yield "attach permissions to a role (assumed by people through SSO), not to an IAM user"


@resource_rule(
    "queue-policy-no-wildcard-actions",
    "SQS queue policies name the actions they allow (no '*' or 'sqs:*')",
    (t.SQS_QUEUE_POLICY, t.SQS_QUEUE),
    MANDATORY,
    DOMAIN,
)
def queue_policy_actions(props: Any, config: Any, _: str) -> Iterable[str]:
    numbered, problem = documents.numbered_statements(get(props, "policy"))
    if problem:
        yield problem
    for index, statement in numbered:
        actions = documents.actions(statement)
        if documents.allows(statement) and any(a in ("*", "sqs:*") for a in actions):
            yield f"{documents.sid(statement, index)} allows {'/'.join(actions)}: name the actions (sqs:SendMessage, ...)"


def _escalation_actions() -> dict[str, list[str]]:
    """Action -> the escalation methods it opens. In each method the IAM/STS actions are the ones
    that escalate (the others are ordinary service actions that need them: lambda:CreateFunction
    escalates only with iam:PassRole); a method without any (lambda:UpdateFunctionCode on a function
    that runs under a stronger role) escalates through its own actions."""
    opened: dict[str, list[str]] = {}
    for method, actions in PRIVILEGE_ESCALATION_METHODS.items():
        keys = [a for a in actions if a.split(":")[0] in ("iam", "sts")] or actions
        for action in keys:
            opened.setdefault(action, []).append(method)
    return opened


ESCALATION_ACTIONS = _escalation_actions()
# Every resource, or every resource of a kind: "*", "arn:aws:iam::123456789012:role/*", "...:function:*".
_WILDCARD_RESOURCE = re.compile(r"^(\*|arn:[^:]*:[^:]*:[^:]*:[^:]*:[A-Za-z0-9-]*[/:]?\*)$")


def _matches(pattern: str, action: str) -> bool:
    """IAM action matching: case-insensitive, '*' and '?' wildcards."""
    regex = re.escape(pattern.lower()).replace(r"\*", ".*").replace(r"\?", ".")
    return re.fullmatch(regex, action) is not None


def _escalations(statement: dict[str, Any]) -> list[str]:
    """The escalation actions a statement allows (Action patterns, or everything NotAction leaves)."""
    if "NotAction" in statement:
        excluded = [str(a) for a in documents.as_list(statement["NotAction"])]
        return [a for a in ESCALATION_ACTIONS if not any(_matches(p, a) for p in excluded)]
    return [a for a in ESCALATION_ACTIONS if any(_matches(p, a) for p in documents.actions(statement))]


def _escalation_problems(document: Any, label: str) -> Iterable[str]:
    numbered, problem = documents.numbered_statements(document)
    if problem:
        yield f"{label}: {problem}"
    for index, statement in numbered:
        if not documents.allows(statement):
            continue
        if "NotResource" in statement:
            scope = "every resource but a list (NotResource)"
        else:
            wild = [str(r) for r in documents.as_list(statement.get("Resource")) if _WILDCARD_RESOURCE.match(str(r))]
            if not wild:
                continue
            scope = f"'{wild[0]}'"
        escalations = _escalations(statement)
        if not escalations:
            continue
        granted = (
            "every privilege-escalation action"
            if len(escalations) == len(ESCALATION_ACTIONS)
            else "privilege-escalation action" + ("s " if len(escalations) > 1 else " ") + ", ".join(escalations)
        )
        methods = sorted({m for a in escalations for m in ESCALATION_ACTIONS[a]})
        yield (
            f"{label} {documents.sid(statement, index)} allows {granted} on {scope} "
            f"(escalation methods: {', '.join(methods)}); name the resources"
        )


# Where each guarded type keeps its policy documents (a role's trust policy is not a permission).
_ESCALATION_DOCUMENTS = {
    **{kind: "policy" for kind in t.IAM_POLICY_DOCUMENTS},
    **{kind: prop for kind, prop in RESOURCE_POLICIES.items() if kind != t.IAM_ROLE},
}


@resource_rule(
    "iam-no-privilege-escalation",
    "No IAM or resource policy allows a privilege-escalation action (cloudsplaining's list: iam:PassRole, policy and "
    "access-key changes, sts:AssumeRole, ...) on every resource",
    (*_ESCALATION_DOCUMENTS, t.IAM_ROLE),
    MANDATORY,
    DOMAIN,
    config_schema=EXCEPTIONS_SCHEMA,
    defaults={"exceptions": {}},
)
def no_privilege_escalation(props: Any, config: Any, resource_type: str) -> Iterable[str]:
    if resource_type == t.IAM_ROLE:
        for index, inline in enumerate(listed(get(props, "inlinePolicies"))):
            if inline is UNKNOWN:
                yield "inlinePolicies are unknown at preview, so they cannot be checked"
            else:
                yield from _escalation_problems(get(inline, "policy"), f"inline policy {get(inline, 'name') or index}")
        return
    document = get(props, _ESCALATION_DOCUMENTS[resource_type])
    if document is not None:
        yield from _escalation_problems(document, "policy")


RULES = [
    queue_policy_actions,
    no_wildcard_admin,
    no_privilege_escalation,
    key_policy_least_privilege,
    no_admin_attachment,
    no_user_policies,
]
