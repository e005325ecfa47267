"""Plugin registry: which components exist, what they need, and the order to build them in.

A component is a ``pulumi.ComponentResource`` plus a :class:`Registration` (its config key, its
config model, the keys it depends on, a factory). Built-ins and third-party packages declare their
registration the same way, as an entry point in group ``lakehouse.components``::

    [project.entry-points."lakehouse.components"]
    foundation = "components.foundation:REGISTRATION"

Built-ins are declared once, as entry points in this project's ``pyproject.toml``; a checkout that
is not ``pip install``-ed reads that same declaration. Entry points are loaded only for the
components a stack enables, so an unrelated broken plugin cannot break a stack; an enabled one that
fails to import is an error naming its distribution.
"""

from __future__ import annotations

import dataclasses
import difflib
import graphlib
import importlib
import tomllib
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Protocol, TypeVar

import pulumi

from .config import ConfigError, StackSettings, StrictModel, config_path, validate
from .iam import KeyGrant, KeyPolicyScope, Statement

ENTRY_POINT_GROUP = "lakehouse.components"
_PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"

T = TypeVar("T")


def builtin_entry_points(pyproject: Path = _PYPROJECT) -> dict[str, str]:
    """The built-ins as ``pyproject.toml`` declares them (empty when the file is not there, as in a
    wheel install, where the installed entry points carry the same declaration)."""
    if not pyproject.is_file():
        return {}
    project = tomllib.loads(pyproject.read_text()).get("project", {})
    return dict(project.get("entry-points", {}).get(ENTRY_POINT_GROUP, {}))


class StackComponent(Protocol):
    """What the stack builder needs of a component: the values it exports as stack outputs
    (a dataclass of Outputs, or a mapping)."""

    def stack_outputs(self) -> Any: ...


def exported(outputs: Any) -> Any:
    """Stack outputs as plain dicts: dataclass fields by name, ``None`` fields left out.

    Not ``dataclasses.asdict``: it deep-copies values, and Outputs must be passed through as they are.
    """
    if dataclasses.is_dataclass(outputs) and not isinstance(outputs, type):
        values = {f.name: getattr(outputs, f.name) for f in dataclasses.fields(outputs)}
        return {name: exported(value) for name, value in values.items() if value is not None}
    if isinstance(outputs, Mapping):
        return {key: exported(value) for key, value in outputs.items()}
    return outputs


@dataclass(frozen=True)
class BuildContext:
    """What a factory gets besides its own config: stack settings, tags and its dependencies."""

    settings: StackSettings
    dependencies: Mapping[str, StackComponent]
    opts: pulumi.ResourceOptions | None = None
    key_grants: tuple[KeyGrant, ...] = ()  # what the enabled components need in the stack key's policy

    @property
    def tags(self) -> dict[str, str]:
        return self.settings.resource_tags()

    def dependency(self, key: str, kind: type[T]) -> T:
        """The component built for ``key``, checked to be a ``kind`` (so editors and type checkers
        see the real class): ``context.dependency("foundation", DataLakeFoundation)``."""
        component = self.dependencies[key]
        if not isinstance(component, kind):
            raise PluginError(
                f"component '{key}' is a {type(component).__name__}, but its dependent expects a {kind.__name__}"
            )
        return component


Factory = Callable[[str, Any, BuildContext], StackComponent]  # a ComponentResource with stack_outputs()


@dataclass(frozen=True)
class Registration:
    """How the platform knows a component: key, config model, dependencies and factory."""

    key: str
    config_model: type[StrictModel]
    factory: Factory
    # Statements this component needs in the stack key's policy, given its config (see iam.KeyGrant).
    key_policy: Callable[[KeyPolicyScope, Any], Sequence[Statement]] | None = None
    # Built after every other enabled component and handed all of them (monitoring watches them all).
    observes_all: bool = False
    depends_on: tuple[str, ...] = ()
    summary: str = ""


class PluginError(pulumi.RunError):
    """A component plugin that cannot be loaded or wired (names the culprit)."""


@dataclass(frozen=True)
class _Source:
    """Where a registration comes from: a module path, and the distribution when installed."""

    target: str
    distribution: str | None = None

    def describe(self) -> str:
        where = f" from distribution '{self.distribution}'" if self.distribution else " (built-in)"
        return f"'{self.target}'{where}"


@dataclass
class Registry:
    """Known component keys and, once loaded, their registrations."""

    sources: dict[str, _Source]
    _loaded: dict[str, Registration] = field(default_factory=dict)

    @classmethod
    def discover(cls, group: str = ENTRY_POINT_GROUP) -> Registry:
        """Built-ins plus every installed entry point of ``group`` (not imported yet)."""
        sources = {key: _Source(target) for key, target in builtin_entry_points().items()}
        for entry_point in metadata.entry_points(group=group):
            dist = entry_point.dist
            source = _Source(entry_point.value, f"{dist.name} {dist.version}" if dist else None)
            known = sources.get(entry_point.name)
            if known and known.target != source.target:
                raise PluginError(
                    f"component key '{entry_point.name}' is declared twice: by {known.describe()} "
                    f"and by {source.describe()}"
                )
            if not known or known.distribution is None:
                sources[entry_point.name] = source
        return cls(sources)

    @property
    def keys(self) -> list[str]:
        return sorted(self.sources)

    def load(self, key: str) -> Registration:
        """Import the registration of ``key``; an import failure names the entry point and distribution."""
        if key in self._loaded:
            return self._loaded[key]
        source = self.sources[key]
        module_name, _, attribute = source.target.partition(":")
        try:
            registration = getattr(importlib.import_module(module_name), attribute)
        except Exception as error:  # any import-time failure of a plugin is reported the same way
            raise PluginError(
                f"component '{key}': entry point {source.describe()} failed to load: {type(error).__name__}: {error}"
            ) from error
        if not isinstance(registration, Registration) or registration.key != key:
            raise PluginError(
                f"component '{key}': entry point {source.describe()} must point at a "
                f"components.registry.Registration whose key is '{key}'"
            )
        self._loaded[key] = registration
        return registration

    def plan(self, enabled: Mapping[str, Any]) -> list[tuple[Registration, StrictModel]]:
        """Validate every enabled block and return (registration, config) in dependency order.

        Every problem is collected first, so one run reports all of them.
        """
        problems: list[str] = []
        chosen: dict[str, tuple[Registration, StrictModel]] = {}
        for key, block in enabled.items():
            if key not in self.sources:
                hint = difflib.get_close_matches(key, self.keys, n=1)
                suggestion = f"did you mean '{hint[0]}'? " if hint else ""
                problems.append(
                    f"{config_path('components', key)}: unknown component; {suggestion}known: {', '.join(self.keys)}"
                )
                continue
            registration = self.load(key)
            try:
                config = validate(registration.config_model, block, "components", key)
                chosen[key] = (registration, typing.cast(StrictModel, config))
            except ConfigError as error:
                problems.extend(error.problems)
        for key, (registration, _) in chosen.items():
            for needed in registration.depends_on:
                if needed not in enabled:
                    problems.append(
                        f"{config_path('components', key)}: needs component '{needed}', which is not "
                        f"enabled (add a '{needed}' block under {config_path('components')})"
                    )
        if problems:
            raise ConfigError(problems)
        return [chosen[key] for key in _build_order(chosen)]


def _build_order(chosen: Mapping[str, tuple[Registration, StrictModel]]) -> list[str]:
    """Dependencies before dependents; a cycle is a config error that names it."""
    observers = {key for key, (registration, _) in chosen.items() if registration.observes_all}
    graph = {key: set(registration.depends_on) for key, (registration, _) in chosen.items()}
    for key in observers:
        graph[key] |= set(chosen) - observers
    try:
        # Sorted insertion keeps the order stable, so URNs and plans do not reshuffle between runs.
        sorter = graphlib.TopologicalSorter({key: sorted(graph[key]) for key in sorted(graph)})
        return list(sorter.static_order())
    except graphlib.CycleError as error:
        cycle = " -> ".join(error.args[1])
        raise ConfigError(
            [f"{config_path('components')}: components depend on each other in a cycle: {cycle}"]
        ) from None
