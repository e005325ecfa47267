"""The offline policy gate: the policy pack's own policy objects, applied to a mocked plan.

The SDK's argument classes are built in-process exactly as the analyzer builds them at preview
(props behind the SDK's unknown-checking proxy, stack resources linked by parent and property
dependencies), so a rule behaves here as it does under ``pulumi preview --policy-pack policies``.
Enforcement levels follow Pulumi's policy-pack config precedence: a policy's own entry, then
``all``, then the rule's default.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy

from policies.guardrails import RULES, Rule

from .mocks import Registered


class PolicyConfigError(Exception):
    """A policy config file that cannot be used."""


def load_policy_config(path: Path | None) -> dict[str, Any]:
    """A ``--policy-pack-config`` JSON file (or nothing). Unknown policy names are errors."""
    if path is None:
        return {}
    try:
        config = json.loads(path.read_text())
    except FileNotFoundError:
        raise PolicyConfigError(f"{path}: no such policy config file") from None
    except json.JSONDecodeError as error:
        raise PolicyConfigError(f"{path}: not valid JSON: {error}") from None
    known = {rule.name for rule in RULES} | {"all"}
    unknown = sorted(set(config) - known)
    if unknown:
        raise PolicyConfigError(f"{path}: unknown policies {', '.join(unknown)}")
    return config


def enforcement(rule: Rule, config: Mapping[str, Any]) -> str:
    entry = config.get(rule.name)
    if isinstance(entry, dict) and "enforcementLevel" in entry:
        return entry["enforcementLevel"]
    if isinstance(entry, str):
        return entry
    return config.get("all", rule.level)


def rule_config(rule: Rule, config: Mapping[str, Any]) -> dict[str, Any]:
    entry = config.get(rule.name)
    return dict(entry) if isinstance(entry, dict) else {}


def _options(record: Registered) -> PolicyResourceOptions:
    return PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], record.parent)


def _stack_resources(records: list[Registered]) -> list[PolicyResource]:
    """PolicyResources linked to their parent and dependencies, as the analyzer links them."""
    resources = {
        r.urn: PolicyResource(r.type, unknown_checking_proxy(r.inputs), r.urn, r.name, _options(r), None, None, [], {})
        for r in records
    }
    for record in records:
        resource = resources[record.urn]
        resource.parent = resources.get(record.parent or "")
        resource.dependencies = [resources[u] for u in record.dependencies if u in resources]
        resource.property_dependencies = {
            key: [resources[u] for u in urns if u in resources] for key, urns in record.property_dependencies.items()
        }
    return list(resources.values())


def evaluate(records: list[Registered], config: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """Every violation of every enabled rule: ``{"policy", "enforcement", "urn", "message"}``."""
    config = config or {}
    custom = [r for r in records if r.custom and not r.type.startswith("pulumi:providers:")]
    violations: list[dict[str, Any]] = []
    for rule in RULES:
        level = enforcement(rule, config)
        if level == EnforcementLevel.DISABLED.value:
            continue
        policy = rule.policy()
        given = rule_config(rule, config)

        def report(message: str, urn: str | None, _rule: Rule = rule, _level: str = level, _default: str = "") -> None:
            violations.append({"policy": _rule.name, "enforcement": _level, "urn": urn or _default, "message": message})

        if isinstance(policy, StackValidationPolicy):
            policy.validate(StackValidationArgs(_stack_resources(custom), given), report)
            continue
        for record in custom:
            args = ResourceValidationArgs(
                record.type,
                unknown_checking_proxy(record.inputs),
                record.urn,
                record.name,
                _options(record),
                None,
                given,
            )

            def report_on(message: str, urn: str | None, _urn: str = record.urn) -> None:
                report(message, urn or _urn)

            try:
                policy.validate(args, report_on)
            except UnknownValueError as error:  # a rule that read an unknown directly: report, never pass
                report(f"cannot be checked at preview: {error.message}", record.urn)
    return violations
