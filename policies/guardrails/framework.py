"""How a guardrail is declared, and how it becomes a Pulumi policy.

A rule is metadata (name, resource types, level, Checkov equivalents) plus a plain check function
over plain props, so it is easy to test and to read. Two things are handled here once for all rules:

- **Unknown values.** During a real preview many values are unknown. The policy SDK raises on
  reading one and then reports the policy as *advisory*, which would let a mandatory rule pass
  silently. So props are first turned into plain dicts where an unknown value is :data:`UNKNOWN`,
  and each check decides: a key ARN that is unknown still counts as *set* (it comes from a resource
  of the stack); a flag that must be ``True`` and is unknown is reported, since it cannot be proved.
- **Stack rules** see every resource with the URNs each property depends on, so that settings
  resources (v7's separate S3 bucket settings) are matched to their bucket even before the bucket's
  name is known.
- **Exceptions.** A rule that declares :data:`EXCEPTIONS_SCHEMA` takes ``exceptions``: resource
  (logical) names mapped to the reason they may differ. A listed resource is not reported; a
  listing without a reason does not count, so every exception stays explained.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy import proxy as _proxy
from pulumi_policy.proxy import _DictProxy, _ListProxy
from pulumi_policy.secret import _DictSecretsProxy, _ListSecretsProxy

# The SDK marks each kind of unknown value (string, number, object, ...) with a sentinel string.
_UNKNOWN_SENTINELS = {
    value for name, value in vars(_proxy).items() if name.startswith("UNKNOWN_") and name.endswith("_VALUE")
}


_PROXIES = (_DictProxy, _ListProxy, _DictSecretsProxy, _ListSecretsProxy)


class _Unknown:
    """A value that is not known until the resource is created (preview only)."""

    def __repr__(self) -> str:
        return "<unknown>"


UNKNOWN: Any = _Unknown()

MANDATORY, ADVISORY = "mandatory", "advisory"

EXCEPTIONS_SCHEMA: dict[str, Any] = {
    "exceptions": {
        "type": "object",
        "description": "resource name -> why this resource may differ",
        "additionalProperties": {"type": "string", "minLength": 1},
    }
}


def excepted(name: str | None, config: Mapping[str, Any]) -> bool:
    """Whether ``config`` lists resource ``name`` as an exception, with a reason."""
    reason = (config.get("exceptions") or {}).get(name or "")
    return isinstance(reason, str) and bool(reason.strip())


def plain(value: Any) -> Any:
    """Props without the SDK's proxies; unknown sentinels become :data:`UNKNOWN`."""
    if isinstance(value, str):
        return UNKNOWN if value in _UNKNOWN_SENTINELS else value
    if isinstance(value, _PROXIES):
        return plain(value["__target"])  # the SDK's own way to reach the raw value (see its deserialize)
    if isinstance(value, Mapping):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    return value


def get(props: Any, path: str, default: Any = None) -> Any:
    """``get(props, "encryptionInfo.encryptionInTransit.clientBroker")``; UNKNOWN propagates,
    a missing key gives ``default``. Numeric parts index lists."""
    node = props
    for part in path.split("."):
        if node is UNKNOWN:
            return UNKNOWN
        if isinstance(node, Mapping):
            if part not in node or node[part] is None:
                return default
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return default
    return node


def listed(value: Any) -> list[Any]:
    """A list prop as a list: ``[]`` when absent, ``[UNKNOWN]`` when the whole list is unknown."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def is_set(value: Any) -> bool:
    """Set means present and non-empty; an unknown value counts as set (a resource supplies it)."""
    return value is UNKNOWN or value not in (None, "", [], {})


def must_equal(props: Any, path: str, expected: Any, why: str) -> Iterable[str]:
    """Yield a violation unless ``path`` is exactly ``expected``; unknown cannot prove it."""
    value = get(props, path)
    if value is UNKNOWN:
        yield f"{path} is unknown at preview, so '{why}' cannot be verified; set it to {expected!r} explicitly"
    elif value != expected:
        yield f"{path} must be {expected!r} ({why}); got {value!r}"


@dataclass(frozen=True)
class Node:
    """A resource as stack rules see it: plain props and, per property, the URNs it depends on."""

    type: str
    urn: str
    name: str
    props: dict[str, Any]
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)

    def depends_on(self, prop: str, urn: str) -> bool:
        return urn in self.property_dependencies.get(prop, [])


ResourceCheck = Callable[[dict[str, Any], Mapping[str, Any], str], Iterable[str]]
StackCheck = Callable[[list[Node], Mapping[str, Any]], Iterable[tuple[str, str]]]


@dataclass(frozen=True)
class Rule:
    """One guardrail: what it checks, where, at which level, and how it is configured."""

    name: str
    description: str
    resource_types: tuple[str, ...]
    level: str
    domain: str
    check: Callable[..., Iterable[Any]]
    stack: bool = False
    config_schema: Mapping[str, Mapping[str, Any]] | None = None
    defaults: Mapping[str, Any] = field(default_factory=dict)

    def policy(self) -> ResourceValidationPolicy | StackValidationPolicy:
        """The Pulumi policy object: the pack and the offline gate both run exactly this."""
        schema = PolicyConfigSchema({k: dict(v) for k, v in self.config_schema.items()}) if self.config_schema else None
        level = EnforcementLevel(self.level)
        if self.stack:
            return StackValidationPolicy(self.name, self.description, self._validate_stack, level, schema)
        return ResourceValidationPolicy(self.name, self.description, self._validate_resource, level, schema)

    def config(self, given: Mapping[str, Any]) -> dict[str, Any]:
        return {**self.defaults, **{k: v for k, v in dict(given).items() if k != "enforcementLevel"}}

    def _validate_resource(self, args: ResourceValidationArgs, report: ReportViolation) -> None:
        config = self.config(args.get_config())
        if args.resource_type not in self.resource_types or excepted(args.name, config):
            return
        for message in self.check(plain(args.props), config, args.resource_type):
            report(message, None)

    def _validate_stack(self, args: StackValidationArgs, report: ReportViolation) -> None:
        nodes = [to_node(resource) for resource in args.resources]
        names = {node.urn: node.name for node in nodes}
        config = self.config(args.get_config())
        for urn, message in self.check(nodes, config):
            if not excepted(names.get(urn), config):
                report(message, urn)


def to_node(resource: Any) -> Node:
    """A PolicyResource as a :class:`Node`."""
    dependencies = getattr(resource, "property_dependencies", None) or {}
    return Node(
        type=resource.resource_type,
        urn=resource.urn,
        name=resource.name,
        props=plain(resource.props),
        property_dependencies={key: [dep.urn for dep in deps] for key, deps in dependencies.items()},
    )


def resource_rule(
    name: str, description: str, types: Sequence[str], level: str, domain: str, **extra: Any
) -> Callable[[ResourceCheck], Rule]:
    """Decorator: ``check(props, config, resource_type)`` yields violation messages."""

    def wrap(check: ResourceCheck) -> Rule:
        return Rule(name, description, tuple(types), level, domain, check, **extra)

    return wrap


def stack_rule(
    name: str, description: str, types: Sequence[str], level: str, domain: str, **extra: Any
) -> Callable[[StackCheck], Rule]:
    """Decorator: ``check(nodes, config)`` yields ``(urn, message)`` pairs."""

    def wrap(check: StackCheck) -> Rule:
        return Rule(name, description, tuple(types), level, domain, check, stack=True, **extra)

    return wrap
