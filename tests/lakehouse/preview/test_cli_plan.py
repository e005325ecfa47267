"""``lakehouse plan`` as users call it: a subprocess, its exit codes, its JSON contract."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import BASE_STACK, REPO, write_stack

LAKEHOUSE = str(Path(sys.executable).with_name("lakehouse"))


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([LAKEHOUSE, *args], cwd=REPO, capture_output=True, text=True, env=env, timeout=300)


@pytest.fixture(scope="module")
def prod_json() -> dict:
    result = run("plan", "--stack", "prod", "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_plan_json_has_the_documented_shape(prod_json):
    assert set(prod_json) == {"stack", "resources", "outputs", "violations", "summary"}
    assert prod_json["stack"] == "prod"
    assert prod_json["violations"] == []
    for resource in prod_json["resources"]:
        assert set(resource) == {"urn", "type", "name", "parent", "component", "props"}
        assert resource["urn"].startswith("urn:pulumi:prod::lakehouse::")
    assert prod_json["summary"]["resources"] == len(prod_json["resources"])


def test_plan_json_props_are_camel_case_inputs_and_parents_are_urns(prod_json):
    urns = {r["urn"] for r in prod_json["resources"]}
    bucket = next(r for r in prod_json["resources"] if r["name"] == "foundation-raw-versioning")
    assert bucket["props"]["versioningConfiguration"] == {"status": "Enabled"}
    assert bucket["parent"] in urns
    assert bucket["component"] == "foundation"
    top = next(r for r in prod_json["resources"] if r["type"] == "lakehouse:index:DataLakeFoundation")
    assert top["parent"] is None


def test_plan_json_outputs_hold_realistic_arns(prod_json):
    assert prod_json["outputs"]["foundation"]["kms_key_arn"].startswith("arn:aws:kms:eu-west-1:123456789012:key/")
    assert prod_json["outputs"]["foundation"]["vpc_id"].startswith("vpc-0")


def test_plan_is_deterministic():
    first = run("plan", "--stack", "dev", "--format", "json")
    second = run("plan", "--stack", "dev", "--format", "json")
    assert first.returncode == second.returncode == 0
    assert first.stdout == second.stdout


def test_plan_table_groups_resources_by_component():
    result = run("plan", "--stack", "dev")
    assert result.returncode == 0, result.stderr
    assert "foundation: 55 resources" in result.stdout
    assert "monitoring: 34 resources" in result.stdout
    assert "stack dev: 184 resources in 7 components, 0 policy violations (0 mandatory)" in result.stdout


def test_plan_takes_any_stack_file_and_exits_2_on_bad_config(tmp_path):
    config = {**BASE_STACK, "lakehouse:components": {"foundation": {"kms_deletion_window_days": 3}}}
    result = run("plan", "--config", str(write_stack(tmp_path, config)))
    assert result.returncode == 2
    assert "lakehouse:components.foundation.kms_deletion_window_days: must be >= 7 (got 3)" in result.stderr
    assert result.stdout == ""


def test_plan_of_a_missing_stack_exits_2():
    result = run("plan", "--stack", "nope")
    assert result.returncode == 2
    assert "Pulumi.nope.yaml: no such stack settings file" in result.stderr


def test_plan_needs_a_stack_or_a_config():
    result = run("plan")
    assert result.returncode == 2
    assert "one of the arguments --stack --config is required" in result.stderr


@pytest.mark.parametrize("suffix, first_line", [(".md", "```mermaid"), (".dot", "digraph plan {")])
def test_plan_writes_a_diagram(tmp_path, suffix, first_line):
    target = tmp_path / f"plan{suffix}"
    result = run("plan", "--stack", "dev", "--graph", str(target))
    assert result.returncode == 0, result.stderr
    text = target.read_text()
    assert text.splitlines()[0] == first_line
    assert "foundation-raw" in text
