"""The plugin registry: discovery, dependency order, and errors that name the culprit."""

from __future__ import annotations

import pytest
from pydantic import Field

from components.config import ConfigError, StrictModel
from components.registry import PluginError, Registration, Registry, _Source, builtin_entry_points
from tests.conftest import BASE_STACK, fresh_monitor, plan_config, resources_of, with_components


class _Empty(StrictModel):
    size: int = Field(default=1, ge=1)


def _registration(key: str, *depends_on: str) -> Registration:
    return Registration(key=key, config_model=_Empty, factory=lambda *_: None, depends_on=depends_on)


def _registry(*registrations: Registration) -> Registry:
    registry = Registry({r.key: _Source(f"test:{r.key}") for r in registrations})
    registry._loaded.update({r.key: r for r in registrations})
    return registry


def test_components_are_built_after_their_dependencies():
    registry = _registry(_registration("c", "b"), _registration("b", "a"), _registration("a"))
    ordered = registry.plan({"c": {}, "a": {}, "b": {"size": 3}})
    assert [registration.key for registration, _ in ordered] == ["a", "b", "c"]
    assert [config.size for _, config in ordered] == [1, 3, 1]


def test_an_observer_is_built_after_every_other_component():
    observer = Registration(key="watch", config_model=_Empty, factory=lambda *_: None, observes_all=True)
    registry = _registry(observer, _registration("z"), _registration("b", "a"), _registration("a"))
    ordered = registry.plan({"watch": {}, "z": {}, "b": {}, "a": {}})
    assert [registration.key for registration, _ in ordered][-1] == "watch"


def test_builtins_are_read_from_the_pyproject_declaration(tmp_path):
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        '[project.entry-points."lakehouse.components"]\nfoundation = "components.foundation:REGISTRATION"\n'
    )
    assert builtin_entry_points(pyproject) == {"foundation": "components.foundation:REGISTRATION"}
    assert builtin_entry_points(tmp_path / "missing.toml") == {}


def test_a_missing_dependency_names_both_components():
    registry = _registry(_registration("batch", "foundation"), _registration("foundation"))
    with pytest.raises(ConfigError) as raised:
        registry.plan({"batch": {}})
    assert raised.value.problems == [
        "lakehouse:components.batch: needs component 'foundation', which is not enabled "
        "(add a 'foundation' block under lakehouse:components)"
    ]


def test_a_cycle_is_reported_with_its_members():
    registry = _registry(_registration("a", "b"), _registration("b", "a"))
    with pytest.raises(ConfigError) as raised:
        registry.plan({"a": {}, "b": {}})
    (problem,) = raised.value.problems
    assert problem.startswith("lakehouse:components: components depend on each other in a cycle: ")
    assert set(problem.rsplit(": ", 1)[1].split(" -> ")) == {"a", "b"}


def test_an_invalid_block_is_reported_with_the_component_path():
    registry = _registry(_registration("a"))
    with pytest.raises(ConfigError) as raised:
        registry.plan({"a": {"size": 0}})
    assert raised.value.problems == ["lakehouse:components.a.size: must be >= 1 (got 0)"]


def test_builtins_are_discovered_through_their_entry_points():
    registry = Registry.discover()
    assert registry.sources["foundation"].target == "components.foundation:REGISTRATION"
    assert registry.sources["foundation"].distribution.startswith("lakehouse-platform ")


def test_an_entry_point_that_fails_to_import_names_its_distribution():
    registry = Registry({"broken": _Source("no_such_module_anywhere:REGISTRATION", "acme-lake-addons 2.3.0")})
    with pytest.raises(PluginError) as raised:
        registry.plan({"broken": {}})
    assert str(raised.value) == (
        "component 'broken': entry point 'no_such_module_anywhere:REGISTRATION' from distribution "
        "'acme-lake-addons 2.3.0' failed to load: ModuleNotFoundError: No module named 'no_such_module_anywhere'"
    )


def test_an_entry_point_that_is_not_a_registration_is_refused():
    registry = Registry({"odd": _Source("json:dumps", "odd-dist 1.0")})
    with pytest.raises(PluginError, match=r"must point at a components\.registry\.Registration whose key is 'odd'"):
        registry.plan({"odd": {}})


# --- the third-party plugin fixture, pip-installed like any plugin ------------------------------


def test_third_party_plugin_is_discovered_with_its_distribution(with_plugin):
    registry = Registry.discover()
    assert registry.sources["audit_log"].distribution == "lakehouse-audit-plugin 1.0.0"


def test_third_party_plugin_is_validated_with_its_own_model(with_plugin, tmp_path):
    monitor = fresh_monitor()
    config = with_components(foundation={}, audit_log={"retention_days": 0})
    with pytest.raises(ConfigError) as raised:
        plan_config(tmp_path, config, monitor=monitor)
    assert raised.value.problems == ["lakehouse:components.audit_log.retention_days: must be >= 1 (got 0)"]
    assert monitor.registered == []


def test_third_party_plugin_is_built_on_the_foundation_it_depends_on(with_plugin, tmp_path):
    plan = plan_config(tmp_path, with_components(audit_log={"retention_days": 30}, foundation={}))
    (log_group,) = [r for r in resources_of(plan, "aws:cloudwatch/logGroup:LogGroup") if r.component == "audit_log"]
    assert log_group.props["retentionInDays"] == 30
    assert log_group.props["kmsKeyId"] == plan.outputs["foundation"]["kms_key_arn"]
    assert log_group.props["tags"]["owner"] == BASE_STACK["lakehouse:tags"]["owner"]
    assert plan.outputs["audit_log"]["log_group"].startswith("audit_log-events-")
    assert {r.component for r in plan.resources} == {None, "foundation", "audit_log"}


def test_third_party_plugin_without_its_dependency_is_a_config_error(with_plugin, tmp_path):
    with pytest.raises(ConfigError) as raised:
        plan_config(tmp_path, with_components(audit_log={}))
    assert raised.value.problems == [
        "lakehouse:components.audit_log: needs component 'foundation', which is not enabled "
        "(add a 'foundation' block under lakehouse:components)"
    ]


def test_a_dependency_of_the_wrong_type_is_refused_with_both_names():
    from components import DataLakeFoundation
    from components.config import StackSettings
    from components.registry import BuildContext

    settings = StackSettings(
        environment="test", tags={"owner": "o", "cost-center": "c", "data-classification": "internal"}
    )
    context = BuildContext(settings=settings, dependencies={"foundation": object()})
    with pytest.raises(PluginError) as raised:
        context.dependency("foundation", DataLakeFoundation)
    assert str(raised.value) == ("component 'foundation' is a object, but its dependent expects a DataLakeFoundation")
