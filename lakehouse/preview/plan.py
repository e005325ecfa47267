"""The offline preview: run the real Pulumi program under mocks and describe what it would create.

Nothing is faked on the program side: ``__main__.py`` runs as ``pulumi up`` would run it, reads the
stack file's config through ``pulumi.Config``, and registers real pulumi-aws resources; only the
engine is replaced (``pulumi.runtime.set_mocks(preview=False)``), so every value is known.
"""

from __future__ import annotations

import runpy
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import yaml
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from .mocks import AwsMocks, RecordingMonitor, Registered
from .stackfile import StackConfig

STACK_TYPE = "pulumi:pulumi:Stack"


@dataclass(frozen=True)
class PlannedResource:
    urn: str
    type: str
    name: str
    parent: str | None
    component: str | None
    custom: bool
    props: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {
            "urn": self.urn,
            "type": self.type,
            "name": self.name,
            "parent": self.parent,
            "component": self.component,
            "props": _tidy(self.props),
        }


def _tidy(value: Any) -> Any:
    """Whole-number floats (the wire has only doubles) back to ints, for readable JSON."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _tidy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_tidy(item) for item in value]
    return value


@dataclass
class Plan:
    stack: str
    resources: list[PlannedResource]
    outputs: dict[str, Any]
    records: list[Registered] = field(default_factory=list, repr=False)  # what the policy gate reads
    violations: list[dict[str, Any]] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "resources": len(self.resources),
            "by_component": dict(sorted(Counter(r.component or "(stack)" for r in self.resources).items())),
            "by_type": dict(sorted(Counter(r.type for r in self.resources).items())),
            "violations": len(self.violations),
            "mandatory_violations": sum(1 for v in self.violations if v.get("enforcement") == "mandatory"),
        }

    def as_json(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "resources": [r.as_json() for r in self.resources],
            "outputs": self.outputs,
            "violations": self.violations,
            "summary": self.summary(),
        }


def find_project_dir(start: Path | None = None) -> Path:
    """The nearest directory holding Pulumi.yaml, from ``start`` (default: cwd) upwards;
    otherwise the checkout this package was installed from."""
    here = (start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        if (directory / "Pulumi.yaml").is_file():
            return directory
    return Path(__file__).resolve().parents[2]


def project_name(project_dir: Path) -> str:
    document = yaml.safe_load((project_dir / "Pulumi.yaml").read_text()) or {}
    return str(document.get("name", "lakehouse"))


def run_program(project_dir: Path, stack: StackConfig, monitor: RecordingMonitor | None = None) -> Plan:
    """Run ``<project_dir>/__main__.py`` for ``stack`` under mocks and collect its resources.

    Raises whatever the program raises (a ConfigError for bad config), after the runtime is idle;
    pass your own ``monitor`` to see what was registered before the failure.
    """
    project = project_name(project_dir)
    monitor = monitor or RecordingMonitor(AwsMocks(region=stack.region))
    pulumi.runtime.set_mocks(monitor.mocks, project=project, stack=stack.name, preview=False, monitor=monitor)
    pulumi.runtime.set_all_config(stack.config, stack.secret_keys)
    outputs: dict[str, Any] = {}

    async def program() -> None:
        runpy.run_path(str(project_dir / "__main__.py"), run_name="__main__")
        root = pulumi.runtime.get_root_resource()
        resolved = await pulumi.Output.from_input(getattr(root, "outputs", {})).future()
        outputs.update(resolved or {})

    _sync_await(run_pulumi_func(program))
    return Plan(
        stack=stack.name, resources=_describe(monitor.registered), outputs=outputs, records=list(monitor.registered)
    )


def _describe(registered: list[Registered]) -> list[PlannedResource]:
    """Attach to each resource the config key of the top-level component it belongs to.

    The stack builder names each top-level component after its config key.
    """
    by_urn = {r.urn: r for r in registered}

    def component_of(resource: Registered) -> str | None:
        top = resource
        while top.parent in by_urn:
            top = by_urn[top.parent]
        return None if top.custom else top.name

    return [
        PlannedResource(
            urn=r.urn,
            type=r.type,
            name=r.name,
            parent=r.parent if r.parent in by_urn else None,
            component=component_of(r),
            custom=r.custom,
            props=r.inputs,
        )
        for r in sorted(registered, key=lambda r: r.urn)  # registration runs in threads: sort for stable plans
    ]
