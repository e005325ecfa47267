"""Ways to show a plan: a table per component (rich), JSON, and a Mermaid or Graphviz diagram."""

from __future__ import annotations

import hashlib
import json
from itertools import groupby
from pathlib import Path
from typing import Any

import pulumi
from rich.console import Console
from rich.table import Table

from .plan import Plan, PlannedResource


def print_table(plan: Plan, console: Console) -> None:
    """Resources grouped by component, then the violations, then the totals."""
    ordered = sorted(plan.resources, key=lambda r: (r.component or "", r.urn))
    for component, group in groupby(ordered, key=lambda r: r.component):
        members = list(group)
        table = Table(title=f"{component or '(stack)'}: {len(members)} resources", title_justify="left")
        table.add_column("type")
        table.add_column("name")
        table.add_column("parent")
        for resource in members:
            parent = resource.parent.rsplit("::", 1)[-1] if resource.parent else ""
            table.add_row(resource.type, resource.name, parent)
        console.print(table)
    if plan.violations:
        table = Table(title=f"policy violations: {len(plan.violations)}", title_justify="left")
        for column in ("enforcement", "policy", "resource", "message"):
            table.add_column(column)
        for violation in plan.violations:
            urn = violation.get("urn") or ""
            table.add_row(violation["enforcement"], violation["policy"], urn.rsplit("::", 1)[-1], violation["message"])
        console.print(table)
    summary = plan.summary()
    console.print(
        f"stack [bold]{plan.stack}[/bold]: {summary['resources']} resources in "
        f"{len([c for c in summary['by_component'] if c != '(stack)'])} components, "
        f"{summary['violations']} policy violations ({summary['mandatory_violations']} mandatory)"
    )


def to_json(plan: Plan) -> str:
    return json.dumps(plan.as_json(), indent=2, sort_keys=False, default=_asset)


def _asset(value: Any) -> Any:
    """Deployment packages by content (a file's SHA-256), so that the JSON of a plan is the same on
    every run and a diff of two plans shows a code change."""
    if isinstance(value, pulumi.AssetArchive):
        return {"archive": {name: _asset(member) for name, member in sorted(value.assets.items())}}
    if isinstance(value, (pulumi.FileAsset, pulumi.FileArchive)):
        return (
            {"sha256": hashlib.sha256(Path(value.path).read_bytes()).hexdigest()}
            if Path(value.path).is_file()
            else {"path": value.path}
        )
    if isinstance(value, pulumi.StringAsset):
        return {"sha256": hashlib.sha256(value.text.encode()).hexdigest()}
    return str(value)


def _walk_tree(plan: Plan, leaf, open_group, close_group) -> list[str]:
    """Emit the resource tree depth-first: a leaf per custom resource, a group per component."""
    children: dict[str | None, list[PlannedResource]] = {}
    for resource in plan.resources:
        children.setdefault(resource.parent, []).append(resource)
    ids = {resource.urn: f"n{index}" for index, resource in enumerate(plan.resources)}
    lines: list[str] = []

    def emit(resource: PlannedResource, depth: int) -> None:
        pad = "  " * depth
        if resource.custom:
            lines.append(pad + leaf(ids[resource.urn], resource))
            return
        lines.extend(pad + line for line in open_group(ids[resource.urn], resource))
        for child in children.get(resource.urn, []):
            emit(child, depth + 1)
        lines.append(pad + close_group)

    for resource in children.get(None, []):
        emit(resource, 1)
    return lines


def mermaid(plan: Plan) -> str:
    """A Mermaid flowchart (GitHub renders it in Markdown): one subgraph per component resource."""
    body = _walk_tree(
        plan,
        leaf=lambda node, r: f'{node}["{r.name}<br/><small>{r.type}</small>"]',
        open_group=lambda node, r: [f'subgraph {node}["{r.name} ({r.type})"]'],
        close_group="end",
    )
    return "\n".join(["```mermaid", "flowchart LR", *body, "```"]) + "\n"


def graphviz(plan: Plan) -> str:
    """The same tree as a Graphviz digraph (a cluster per component resource)."""
    body = _walk_tree(
        plan,
        leaf=lambda node, r: f'{node} [label="{r.name}\\n{r.type}"];',
        open_group=lambda node, r: [f"subgraph cluster_{node} {{", f'  label="{r.name} ({r.type})";'],
        close_group="}",
    )
    return "\n".join(["digraph plan {", "  rankdir=LR;", "  node [shape=box, fontsize=10];", *body, "}"]) + "\n"


def write_graph(plan: Plan, path: Path) -> None:
    """Graphviz for ``.dot``/``.gv``, Mermaid (in a Markdown fence) for anything else."""
    text = graphviz(plan) if path.suffix in (".dot", ".gv") else mermaid(plan)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
