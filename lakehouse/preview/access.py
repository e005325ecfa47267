"""Offline access evaluation: would AWS allow this principal this action on this resource, given
only the IAM documents of a plan?

It follows AWS's evaluation logic for requests inside one account: an explicit Deny in any
applicable policy wins; otherwise an Allow in the principal's identity policies (its role's inline
policies, role policies and attached customer-managed policies) or in the resource's own policy
(bucket, key, queue, topic and secret policies, Lambda permissions) allows it. KMS keys are the
exception AWS makes: the key policy must allow the principal itself, or allow the account root
(which delegates to IAM) while the identity policy allows the action.

Supported: wildcards in actions and resources, NotAction/NotResource, principals (``*``, AWS
account root and role ARNs, service principals), and the condition operators the platform's
documents use (String*, Arn*, Bool, Numeric*, Null, with ``IfExists`` and ``ForAnyValue`` /
``ForAllValues``). A condition key the request does not carry makes a positive operator fail and a
negated one hold, as in AWS. AWS-managed policies cannot be read offline: an attachment of one is
reported by :meth:`AccessModel.unreadable`, never silently counted as granting or denying.

Used by tests to prove each data flow allowed and its neighbours denied::

    model = AccessModel.from_records(plan.records)
    role = model.role_arn("ingestion-handler-role")
    assert model.allows(role, "s3:PutObject", "arn:aws:s3:::raw-bucket/raw/source=a/x.json")
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .mocks import Registered

# What every request carries unless a test says otherwise: HTTPS with a current TLS version.
DEFAULT_CONTEXT: dict[str, Any] = {"aws:SecureTransport": "true", "s3:TlsVersion": "1.3"}

_S3_OBJECT = re.compile(r"^(arn:[^:]+:s3:::[^/]+)/.+$")


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str

    def __bool__(self) -> bool:
        return self.allowed


@dataclass
class AccessModel:
    """The IAM documents of a plan, indexed by who holds them and what they guard."""

    account_id: str
    identity: dict[str, list[Any]] = field(default_factory=dict)  # role ARN -> policy documents
    resource: dict[str, list[Any]] = field(default_factory=dict)  # resource ARN -> resource policies
    keys: set[str] = field(default_factory=set)  # KMS key ARNs (their policies live in ``resource``)
    unreadable: dict[str, list[str]] = field(default_factory=dict)  # role ARN -> AWS-managed policy ARNs
    roles: dict[str, str] = field(default_factory=dict)  # logical name -> role ARN

    @classmethod
    def from_records(cls, records: Sequence[Registered]) -> AccessModel:
        """Index the roles, policies and resource policies of a plan's records (``Plan.records``)."""
        custom = [r for r in records if r.custom]
        arn_of_id = {r.id: r.outputs.get("arn") for r in custom if r.outputs.get("arn")}
        by_type: dict[str, list[Registered]] = {}
        for record in custom:
            by_type.setdefault(record.type.split(":")[-1], []).append(record)
        roles = by_type.get("Role", [])
        account = _account_of(next((r.outputs["arn"] for r in roles if "arn" in r.outputs), ""))
        model = cls(account_id=account)
        role_arn_by_ref: dict[str, str] = {}
        for role in roles:
            arn = role.outputs["arn"]
            model.roles[role.name] = arn
            model.identity.setdefault(arn, [])
            role_arn_by_ref[role.id] = arn
            role_arn_by_ref[str(role.outputs.get("name", role.id))] = arn
            for inline in role.inputs.get("inlinePolicies") or []:
                model.identity[arn].append(_load(inline.get("policy")))
        for record in by_type.get("RolePolicy", []):
            arn = role_arn_by_ref.get(str(record.inputs.get("role")))
            if arn:
                model.identity[arn].append(_load(record.inputs.get("policy")))
        managed = {r.outputs.get("arn"): _load(r.inputs.get("policy")) for r in by_type.get("Policy", [])}
        for record in by_type.get("RolePolicyAttachment", []):
            arn = role_arn_by_ref.get(str(record.inputs.get("role")))
            policy_arn = str(record.inputs.get("policyArn"))
            if not arn:
                continue
            if policy_arn in managed:
                model.identity[arn].append(managed[policy_arn])
            else:
                model.unreadable.setdefault(arn, []).append(policy_arn)
        for key in by_type.get("Key", []):
            if key.type == "aws:kms/key:Key":
                model.keys.add(key.outputs["arn"])
                model.resource.setdefault(key.outputs["arn"], []).append(_load(key.inputs.get("policy")))
        for record in by_type.get("BucketPolicy", []):
            model._add_resource_policy(f"arn:aws:s3:::{record.inputs.get('bucket')}", record.inputs.get("policy"))
        for record in by_type.get("TopicPolicy", []):
            model._add_resource_policy(record.inputs.get("arn"), record.inputs.get("policy"))
        queues = {r.outputs.get("url", r.id): r.outputs.get("arn") for r in by_type.get("Queue", [])}
        for record in by_type.get("QueuePolicy", []):
            model._add_resource_policy(queues.get(record.inputs.get("queueUrl")), record.inputs.get("policy"))
        for record in by_type.get("SecretPolicy", []):
            model._add_resource_policy(record.inputs.get("secretArn"), record.inputs.get("policy"))
        for record in by_type.get("Permission", []):
            if record.type == "aws:lambda/permission:Permission":
                model._add_lambda_permission(record.inputs, arn_of_id)
        return model

    def _add_resource_policy(self, arn: Any, policy: Any) -> None:
        if arn:
            self.resource.setdefault(str(arn), []).append(_load(policy))

    def _add_lambda_permission(self, props: Mapping[str, Any], arn_of_id: Mapping[str, Any]) -> None:
        """A Lambda permission is one statement of the function's resource policy."""
        function = str(props.get("function"))
        function_arn = function if function.startswith("arn:") else arn_of_id.get(function) or function
        statement: dict[str, Any] = {
            "Effect": "Allow",
            "Principal": _principal_element(str(props.get("principal"))),
            "Action": props.get("action"),
            "Resource": function_arn,
        }
        conditions: dict[str, dict[str, Any]] = {}
        if props.get("sourceArn"):
            conditions.setdefault("ArnLike", {})["aws:SourceArn"] = props["sourceArn"]
        if props.get("sourceAccount"):
            conditions.setdefault("StringEquals", {})["aws:SourceAccount"] = props["sourceAccount"]
        if conditions:
            statement["Condition"] = conditions
        self.resource.setdefault(function_arn, []).append({"Statement": [statement]})

    def role_arn(self, name: str) -> str:
        """The ARN of the role whose logical name is ``name`` (exactly, else the one that ends with it)."""
        if name in self.roles:
            return self.roles[name]
        matches = [arn for logical, arn in self.roles.items() if logical.endswith(name)]
        if len(matches) != 1:
            raise KeyError(f"no single role named {name!r}; roles: {', '.join(sorted(self.roles))}")
        return matches[0]

    def decide(self, principal: str, action: str, resource: str, context: Mapping[str, Any] | None = None) -> Decision:
        """Whether ``principal`` (a role ARN or a service principal such as ``logs.amazonaws.com``)
        may perform ``action`` on ``resource``, with the reason."""
        request = _Request(principal, action, resource, {**DEFAULT_CONTEXT, **(context or {})})
        identity = self.identity.get(principal, [])
        resource_policies = self._resource_policies(resource)
        denials = [_matching(d, request, "Deny", False) for d in identity]
        denials += [_matching(d, request, "Deny", True) for d in resource_policies]
        denied = next((sid for sid in denials if sid), None)
        if denied:
            return Decision(False, f"explicitly denied by {denied}")
        identity_allow = next((s for d in identity if (s := _matching(d, request, "Allow", False))), None)
        resource_allow = next((s for d in resource_policies if (s := _matching(d, request, "Allow", True))), None)
        if resource in self.keys:
            if resource_allow and _names_principal_itself(resource_policies, request):
                return Decision(True, f"key policy allows the principal: {resource_allow}")
            root = _Request(f"arn:aws:iam::{self.account_id}:root", action, resource, request.context)
            root_allowed = any(_matching(d, root, "Allow", True) for d in resource_policies)
            if root_allowed and identity_allow:
                return Decision(True, f"key policy delegates to IAM and identity allows: {identity_allow}")
            return Decision(False, "the key policy does not admit the principal (or IAM does not allow it)")
        if identity_allow:
            return Decision(True, f"identity policy allows: {identity_allow}")
        if resource_allow:
            return Decision(True, f"resource policy allows: {resource_allow}")
        return Decision(False, "no policy allows it (implicit deny)")

    def allows(self, principal: str, action: str, resource: str, context: Mapping[str, Any] | None = None) -> bool:
        return self.decide(principal, action, resource, context).allowed

    def _resource_policies(self, resource: str) -> list[Any]:
        policies = list(self.resource.get(resource, []))
        bucket = _S3_OBJECT.match(resource)
        if bucket:
            policies += self.resource.get(bucket.group(1), [])
        return policies


@dataclass(frozen=True)
class _Request:
    principal: str
    action: str
    resource: str
    context: Mapping[str, Any]


def _load(policy: Any) -> Any:
    if isinstance(policy, str):
        return json.loads(policy) if policy else {}
    return policy or {}


def _account_of(arn: str) -> str:
    parts = arn.split(":")
    return parts[4] if len(parts) > 4 else ""


def _principal_element(principal: str) -> dict[str, str]:
    if principal.endswith(".amazonaws.com"):
        return {"Service": principal}
    if re.fullmatch(r"\d{12}", principal):
        return {"AWS": f"arn:aws:iam::{principal}:root"}
    return {"AWS": principal}


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _statements(document: Any) -> list[dict[str, Any]]:
    return [
        s for s in _as_list(document.get("Statement") if isinstance(document, Mapping) else None) if isinstance(s, dict)
    ]


def _matching(document: Any, request: _Request, effect: str, check_principal: bool) -> str | None:
    """The Sid (or index) of the first statement of ``effect`` that applies to ``request``."""
    for index, statement in enumerate(_statements(document)):
        if statement.get("Effect") != effect:
            continue
        if check_principal and not _principal_matches(statement, request.principal):
            continue
        if not _action_matches(statement, request.action) or not _resource_matches(statement, request.resource):
            continue
        if not _conditions_hold(statement.get("Condition") or {}, request.context):
            continue
        return str(statement.get("Sid") or f"statement {index}")
    return None


def _names_principal_itself(policies: Iterable[Any], request: _Request) -> bool:
    """Whether a key-policy Allow names this principal (not merely the account root)."""
    for document in policies:
        for statement in _statements(document):
            if statement.get("Effect") != "Allow" or not _action_matches(statement, request.action):
                continue
            principals = _principal_values(statement.get("Principal"))
            if request.principal in principals or (
                "*" in principals and _conditions_hold(statement.get("Condition") or {}, request.context)
            ):
                return True
    return False


def _principal_values(element: Any) -> list[str]:
    if element == "*":
        return ["*"]
    if isinstance(element, Mapping):
        return [str(v) for values in element.values() for v in _as_list(values)]
    return [str(v) for v in _as_list(element)]


def _principal_matches(statement: Mapping[str, Any], principal: str) -> bool:
    principals = _principal_values(statement.get("Principal"))
    if "*" in principals or principal in principals:
        return True
    account = _account_of(principal)
    return bool(account) and f"arn:aws:iam::{account}:root" in principals and principal.startswith("arn:")


def _wildcard(pattern: str, value: str, case_sensitive: bool = True) -> bool:
    if not case_sensitive:
        pattern, value = pattern.lower(), value.lower()
    return fnmatch.fnmatchcase(value, pattern.replace("[", "[[]"))


def _action_matches(statement: Mapping[str, Any], action: str) -> bool:
    if "NotAction" in statement:
        return not any(_wildcard(str(a), action, False) for a in _as_list(statement["NotAction"]))
    return any(_wildcard(str(a), action, False) for a in _as_list(statement.get("Action")))


def _resource_matches(statement: Mapping[str, Any], resource: str) -> bool:
    if "NotResource" in statement:
        return not any(_wildcard(str(r), resource) for r in _as_list(statement["NotResource"]))
    if "Resource" not in statement:  # resource policies of a single resource may omit it
        return True
    return any(_wildcard(str(r), resource) for r in _as_list(statement.get("Resource")))


def _conditions_hold(conditions: Mapping[str, Mapping[str, Any]], context: Mapping[str, Any]) -> bool:
    return all(
        _condition_holds(operator, key, _as_list(expected), context)
        for operator, entries in conditions.items()
        for key, expected in entries.items()
    )


def _condition_holds(operator: str, key: str, expected: list[Any], context: Mapping[str, Any]) -> bool:
    quantifier = ""
    if ":" in operator:
        quantifier, operator = operator.split(":", 1)
    if_exists = operator.endswith("IfExists")
    operator = operator.removesuffix("IfExists")
    present = key in context
    if operator == "Null":
        return (not present) == (str(expected[0]).lower() == "true")
    if not present:
        return if_exists or operator.startswith(("StringNot", "ArnNot")) or operator == "NumericNotEquals"
    values = [str(v) for v in _as_list(context[key])]
    negated = "Not" in operator
    test = _OPERATORS[operator.replace("Not", "")]
    hits = [any(test(str(e), v) for e in expected) for v in values]
    if quantifier == "ForAllValues":
        result = all(hits)
    else:
        result = any(hits)
    return not result if negated else result


def _numeric(compare: Any) -> Any:
    return lambda expected, value: compare(float(value), float(expected))


_OPERATORS = {
    "StringEquals": lambda e, v: e == v,
    "StringEqualsIgnoreCase": lambda e, v: e.lower() == v.lower(),
    "StringLike": _wildcard,
    "ArnEquals": lambda e, v: e == v,
    "ArnLike": _wildcard,
    "Bool": lambda e, v: e.lower() == v.lower(),
    "NumericEquals": _numeric(lambda v, e: v == e),
    "NumericLessThan": _numeric(lambda v, e: v < e),
    "NumericLessThanEquals": _numeric(lambda v, e: v <= e),
    "NumericGreaterThan": _numeric(lambda v, e: v > e),
    "NumericGreaterThanEquals": _numeric(lambda v, e: v >= e),
}
