"""Generated reference sections, kept in Markdown files between two markers:

- the config reference (README.md), from the pydantic config models, their defaults and descriptions;
- the alarm reference (README.md), from the alarms the prod stack's components offer (a plan under mocks);
- the dashboard layout (README.md), from the dashboard body of the same plan;
- the state machine diagram (README.md), from the job graph;
- the policy rule table (policies/README.md), from the guardrails themselves, with the Checkov checks
  each rule coincides with as observed by the Checkov cross-check (policies/guardrails/checkov_observed.json).
"""

from __future__ import annotations

import functools
import json
import typing
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from components.config import StackSettings, config_path
from components.registry import Registry
from policies.guardrails import RULES
from policies.guardrails.checkov import NOT_COVERED, STACK_EXCEPTIONS
from policies.guardrails.types import TAGGABLE

if TYPE_CHECKING:
    from .preview.plan import Plan

PROJECT = Path(__file__).resolve().parents[1]
OBSERVED = PROJECT / "policies" / "guardrails" / "checkov_observed.json"
_COMPARISONS = {
    "GreaterThanOrEqualToThreshold": ">=",
    "GreaterThanThreshold": ">",
    "LessThanThreshold": "<",
    "LessThanOrEqualToThreshold": "<=",
}


def _type_name(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return " \\| ".join(repr(a) for a in typing.get_args(annotation))
    if annotation is type(None):
        return "null"
    if origin is typing.Annotated:
        return _type_name(typing.get_args(annotation)[0])
    if origin in (list, dict, typing.Union) or str(origin) == "<class 'types.UnionType'>":
        args = ", ".join(_type_name(a) for a in typing.get_args(annotation))
        name = {list: "list", dict: "map"}.get(origin, "")
        return f"{name}[{args}]" if name else args.replace(", ", " \\| ")
    return getattr(annotation, "__name__", str(annotation))


def _default(field: Any) -> str:
    if field.is_required():
        return "**required**"
    value = field.default_factory() if field.default is PydanticUndefined else field.default
    if isinstance(value, BaseModel):
        dumped = value.model_dump(exclude_defaults=True)
        return "(field defaults)" if not dumped else f"`{json.dumps(dumped)}`"
    return f"`{json.dumps(value)}`"


def _rows(model: type[BaseModel], *prefix: str, seen: dict | None = None) -> list[str]:
    """One row per field, depth first; a nested model used again points at its first listing."""
    seen = {} if seen is None else seen
    rows = []
    for name, field in model.model_fields.items():
        key = field.alias or name
        annotation = field.annotation
        nested = annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None
        path = config_path(*prefix, key)
        kind = _type_name(annotation)
        if nested and nested in seen:
            kind = f"object, fields as in `{seen[nested]}`"
        elif nested:
            kind = "object"
        rows.append(f"| `{path}` | {kind} | {_default(field)} | {field.description or ''} |")
        if nested and nested not in seen:
            seen[nested] = path
            rows.extend(_rows(nested, *prefix, key, seen=seen))
    return rows


def config_reference() -> str:
    """Markdown tables: stack settings, then one table per known component."""
    header = "| key | type | default | description |\n|---|---|---|---|"
    stack_rows = [row for row in _rows(StackSettings) if "lakehouse:components`" not in row]
    parts = ["### Stack settings", "", header, *stack_rows, ""]
    registry = Registry.discover()
    for key in registry.keys:
        registration = registry.load(key)
        parts += [f"### Component `{key}`", "", registration.summary, "", header]
        parts += _rows(registration.config_model, "components", key)
        parts.append("")
    return "\n".join(parts).rstrip() + "\n"


def _short_type(token: str) -> str:
    """``aws:s3/bucketPolicy:BucketPolicy`` -> ``s3.BucketPolicy``."""
    module = token.split(":")[1].split("/")[0]
    return f"{module}.{token.rsplit(':', 1)[1]}"


def policy_reference() -> str:
    """The rule table, the Checkov checks left out and why, and the defects Checkov does not see."""
    observed = json.loads(OBSERVED.read_text())
    lines = [
        f"Checkov column: the checks that failed, in the cross-check with Checkov {observed['checkov_version']}, "
        "exactly where the rule reported on the insecure fixture.",
        "",
        "| rule | kind | resource types | what it checks | level | config | Checkov (observed) |",
        "|---|---|---|---|---|---|---|",
    ]
    for rule in RULES:
        types = ", ".join(sorted({_short_type(t) for t in rule.resource_types}))
        if set(rule.resource_types) == set(TAGGABLE):
            types = f"{len(rule.resource_types)} taggable types (policies/guardrails/types.py TAGGABLE)"
        config = ", ".join(f"`{k}` (default `{json.dumps(v)}`)" for k, v in rule.defaults.items())
        lines.append(
            f"| `{rule.name}` | {'stack' if rule.stack else 'resource'} | {types} | {rule.description} | "
            f"{rule.level} | {config} | {', '.join(observed['rules'].get(rule.name, []))} |"
        )
    lines += [
        "",
        "Checkov checks that no rule covers, and why (the cross-check accepts their failures):",
        "",
        "| Checkov | why not |",
        "|---|---|",
    ]
    lines += [f"| {check} | {why} |" for check, why in sorted(NOT_COVERED.items())]
    lines += ["", "Checkov checks a repo stack fails by design:", "", "| stack | Checkov | why |", "|---|---|---|"]
    lines += [
        f"| {stack} | {check} | {why} |"
        for stack, checks in sorted(STACK_EXCEPTIONS.items())
        for check, why in sorted(checks.items())
    ]
    lines += ["", "Planted defects Checkov reports nothing on (rule: fixture resource):", ""]
    lines += [f"- `{miss}`" for miss in observed["checkov_misses"]]
    return "\n".join(lines) + "\n"


def _markers(name: str) -> tuple[str, str]:
    return f"<!-- {name}:begin (generated by `make docs`; do not edit) -->", f"<!-- {name}:end -->"


def replace_section(text: str, reference: str, name: str = "config-reference") -> str:
    """Put ``reference`` between the ``name`` markers of ``text`` (appended with markers when absent)."""
    begin, end_marker = _markers(name)
    block = f"{begin}\n{reference}{end_marker}"
    if begin in text and end_marker in text:
        start, end = text.index(begin), text.index(end_marker) + len(end_marker)
        return text[:start] + block + text[end:]
    return text.rstrip() + "\n\n" + block + "\n"


@functools.cache
def _plan(stack: str) -> Plan:
    from .preview.plan import project_name, run_program
    from .preview.stackfile import read_stack_file

    return run_program(PROJECT, read_stack_file(PROJECT / f"Pulumi.{stack}.yaml", project_name(PROJECT)))


def alarm_reference(stack: str = "prod") -> str:
    """Every alarm Monitoring wires in ``stack`` (all components enabled in prod), with its default."""
    plan = _plan(stack)
    lines = [
        "| component | alarm | metric | statistic | alarms when | runbook |",
        "|---|---|---|---|---|---|",
    ]
    for alarm in plan.outputs["monitoring"]["alarms"]:
        threshold = alarm["threshold"]
        shown = f"{int(threshold):,}" if float(threshold).is_integer() else f"{threshold:g}"
        condition = f"{_COMPARISONS[alarm['comparison']]} {shown}"
        lines.append(
            f"| {alarm['component']} | `{alarm['name']}` | {alarm['namespace']} {alarm['metric']} | "
            f"{alarm['statistic']} | {condition} | {alarm['runbook']} |"
        )
    return "\n".join(lines) + "\n"


def dashboard_layout(stack: str = "prod") -> str:
    """The CloudWatch dashboard Monitoring builds in ``stack``, as its grid: a title row per component,
    then its graphs three to a line (each an alarm's metric with the threshold drawn in)."""
    (dashboard,) = [r for r in _plan(stack).resources if r.type == "aws:cloudwatch/dashboard:Dashboard"]
    rows: dict[int, list[str]] = {}
    for widget in json.loads(dashboard.props["dashboardBody"])["widgets"]:
        properties = widget["properties"]
        if widget["type"] == "text":
            rows[widget["y"]] = [f"**{properties['markdown'].removeprefix('## ')}**", "", ""]
        else:
            namespace, metric = properties["metrics"][0][:2]
            name = properties["title"].split(": ", 1)[1]
            cells = rows.setdefault(widget["y"], ["", "", ""])
            cells[widget["x"] // 8] = f"`{name}`: {namespace} {metric} ({properties['stat']})"
    lines = ["| left | middle | right |", "|---|---|---|"]
    lines += [f"| {' | '.join(cells)} |" for _, cells in sorted(rows.items())]
    return "\n".join(lines) + "\n"


def state_machine_diagram() -> str:
    """The batch state machine as Mermaid, from the whole job graph."""
    from components.batch.diagram import markdown
    from etl.graph import all_in_order

    return markdown(all_in_order())


def generated_sections() -> list[tuple[str, str, str]]:
    """(file relative to the project, section name, content) for every generated section."""
    return [
        ("README.md", "config-reference", config_reference()),
        ("README.md", "alarm-reference", alarm_reference()),
        ("README.md", "dashboard-layout", dashboard_layout()),
        ("README.md", "state-machine", state_machine_diagram()),
        ("policies/README.md", "policy-rules", policy_reference()),
    ]
