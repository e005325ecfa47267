"""Shared fixtures: plans of the real stacks, stack files built in a test, the fixture plugin."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from lakehouse.preview.mocks import AwsMocks, RecordingMonitor
from lakehouse.preview.plan import Plan, run_program
from lakehouse.preview.policy_gate import evaluate, load_policy_config
from lakehouse.preview.stackfile import read_stack_file

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"

BASE_STACK: dict[str, Any] = {
    "aws:region": "eu-west-1",
    "lakehouse:environment": "test",
    "lakehouse:tags": {"owner": "team-a", "cost-center": "cc-1", "data-classification": "internal"},
    "lakehouse:components": {"foundation": {}},
}


def plan_stack(name: str) -> Plan:
    """Plan one of the repo's stack files exactly as ``lakehouse plan --stack NAME`` does."""
    return run_program(REPO, read_stack_file(REPO / f"Pulumi.{name}.yaml", "lakehouse"))


def stack_config(name: str) -> dict[str, Any]:
    """The config mapping of one of the repo's stack files (``Pulumi.<name>.yaml``)."""
    return yaml.safe_load((REPO / f"Pulumi.{name}.yaml").read_text())["config"]


def plan_stack_with(directory: Path, name: str, **components: Any) -> Plan:
    """Plan a repo stack with component blocks added or replaced (``None`` removes one)."""
    config = stack_config(name)
    blocks = {**config["lakehouse:components"], **components}
    config["lakehouse:components"] = {key: block for key, block in blocks.items() if block is not None}
    return run_program(REPO, read_stack_file(write_stack(directory, config, name), "lakehouse"))


def violations(plan: Plan, stack: str) -> list[dict[str, Any]]:
    """Every policy violation of a plan under the stack's policy config (policies/config/<stack>.json)."""
    return evaluate(plan.records, load_policy_config(REPO / "policies" / "config" / f"{stack}.json"))


def write_stack(directory: Path, config: dict[str, Any], name: str = "test") -> Path:
    path = directory / f"Pulumi.{name}.yaml"
    path.write_text(yaml.safe_dump({"config": config}, sort_keys=False))
    return path


def plan_config(directory: Path, config: dict[str, Any], monitor: RecordingMonitor | None = None) -> Plan:
    """Plan the repo's program with an ad-hoc stack config."""
    return run_program(REPO, read_stack_file(write_stack(directory, config), "lakehouse"), monitor=monitor)


def with_components(**components: Any) -> dict[str, Any]:
    return {**BASE_STACK, "lakehouse:components": components}


@pytest.fixture(scope="session")
def dev_plan() -> Plan:
    return plan_stack("dev")


@pytest.fixture(scope="session")
def prod_plan() -> Plan:
    return plan_stack("prod")


@pytest.fixture(params=["dev", "prod"])
def stack_plan(request: pytest.FixtureRequest) -> Plan:
    return request.getfixturevalue(f"{request.param}_plan")


@pytest.fixture(scope="session")
def plugin_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture plugin package, pip-installed into its own directory like any third party's."""
    return install_fixture_plugin("audit_plugin", tmp_path_factory.mktemp("plugin-site"))


def install_fixture_plugin(name: str, target: Path) -> Path:
    """pip-install the fixture plugin ``tests/fixtures/<name>`` into ``target`` (no dependencies)."""
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation"]
    subprocess.run([*command, "--target", str(target), str(FIXTURES / name)], check=True, capture_output=True)
    return target


@pytest.fixture
def with_plugin(plugin_site: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Put the installed plugin on sys.path for this test only (entry points are read from it)."""
    monkeypatch.syspath_prepend(str(plugin_site))
    importlib.invalidate_caches()
    yield plugin_site
    sys.modules.pop("lakehouse_audit_plugin", None)


def resources_of(plan: Plan, type_token: str) -> list:
    return [r for r in plan.resources if r.type == type_token]


def one(plan: Plan, type_token: str, name: str):
    matches = [r for r in plan.resources if r.type == type_token and r.name == name]
    assert len(matches) == 1, f"expected one {type_token} named {name}, found {len(matches)}"
    return matches[0]


def policy_of(resource) -> dict[str, Any]:
    return json.loads(resource.props["policy"])


def fresh_monitor(region: str = "eu-west-1") -> RecordingMonitor:
    return RecordingMonitor(AwsMocks(region=region))
