"""The policy pack on whole stacks: both stacks pass, the insecure fixture plugin fails with exactly
its planted defects, unknowns at preview are reported, and the pack itself starts."""

from __future__ import annotations

import asyncio
import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pulumi
import pytest
from pulumi_aws import cloudwatch, kms

from lakehouse.preview.mocks import AwsMocks, RecordingMonitor
from lakehouse.preview.policy_gate import PolicyConfigError, evaluate, load_policy_config
from tests.conftest import BASE_STACK, REPO, install_fixture_plugin, write_stack

LAKEHOUSE = str(Path(sys.executable).with_name("lakehouse"))
BASE_TAGS = {"project": "p", "environment": "e", "owner": "o", "cost-center": "c", "data-classification": "internal"}


def _resolved(value):
    future = asyncio.get_event_loop().create_future()
    future.set_result(value)
    return future


def _plan(*args: str, pythonpath: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(pythonpath)} if pythonpath else None
    return subprocess.run([LAKEHOUSE, "plan", *args], cwd=REPO, capture_output=True, text=True, env=env, timeout=300)


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_repo_stacks_have_no_violations_under_their_policy_config(stack, request):
    plan = request.getfixturevalue(f"{stack}_plan")
    config = load_policy_config(REPO / "policies" / "config" / f"{stack}.json")
    assert evaluate(plan.records, config) == []


def test_prod_plan_exits_0_with_the_policy_gate():
    result = _plan("--stack", "prod", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["violations"] == []


@pytest.fixture(scope="module")
def insecure_site(tmp_path_factory) -> Path:
    return install_fixture_plugin("insecure_plugin", tmp_path_factory.mktemp("insecure-site"))


def test_insecure_plugin_fails_with_exactly_its_planted_defects(insecure_site, tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(insecure_site))
    planted = importlib.import_module("lakehouse_insecure_fixture").PLANTED
    config = {**BASE_STACK, "lakehouse:components": {"insecure_everything": {}}}
    result = _plan(
        "--config", str(write_stack(tmp_path, config, name="insecure")), "--format", "json", pythonpath=insecure_site
    )
    assert result.returncode == 1, result.stderr
    plan = json.loads(result.stdout)
    names = {r["urn"]: r["name"] for r in plan["resources"]}
    reported = sorted({(v["policy"], names[v["urn"]]) for v in plan["violations"]})
    assert reported == sorted(set(planted))
    assert (
        plan["summary"]["mandatory_violations"]
        == sum(1 for v in plan["violations"] if v["enforcement"] == "mandatory")
        > 30
    )


def test_insecure_plugin_table_lists_violations(insecure_site, tmp_path):
    config = {**BASE_STACK, "lakehouse:components": {"insecure_everything": {}}}
    result = _plan("--config", str(write_stack(tmp_path, config, name="insecure")), pythonpath=insecure_site)
    assert result.returncode == 1
    assert "policy violations: 128" in result.stdout
    assert "kms-key-rotation-enabled" in result.stdout


def test_prod_policy_config_makes_lifecycle_mandatory(insecure_site, tmp_path):
    config = {**BASE_STACK, "lakehouse:components": {"insecure_everything": {}}}
    stack = str(write_stack(tmp_path, config, name="insecure"))
    result = _plan(
        "--config",
        stack,
        "--format",
        "json",
        "--policy-config",
        str(REPO / "policies/config/prod.json"),
        pythonpath=insecure_site,
    )
    levels = {v["policy"]: v["enforcement"] for v in json.loads(result.stdout)["violations"]}
    assert levels["s3-bucket-has-lifecycle"] == "mandatory"
    assert levels["iam-no-user-policies"] == "advisory"


def test_a_policy_config_naming_an_unknown_policy_is_a_usage_error(tmp_path):
    bad = tmp_path / "policy.json"
    bad.write_text(json.dumps({"s3-bucket-versionned": "advisory"}))
    with pytest.raises(PolicyConfigError, match="unknown policies s3-bucket-versionned"):
        load_policy_config(bad)
    result = _plan("--stack", "dev", "--policy-config", str(bad))
    assert result.returncode == 2
    assert "unknown policies s3-bucket-versionned" in result.stderr


def test_disabled_policies_are_not_run(dev_plan):
    assert evaluate(dev_plan.records, {"all": "disabled"}) == []


def test_an_output_left_unknown_at_preview_is_reported_not_passed():
    """Under a real preview a value can be unknown: the mandatory rule must report it."""
    monitor = RecordingMonitor(AwsMocks())
    pulumi.runtime.set_mocks(monitor.mocks, project="p", stack="s", preview=True, monitor=monitor)

    def program():
        unknown = pulumi.Output(set(), _resolved(True), _resolved(False))  # a value known only after deploy
        key = kms.Key("key", enable_key_rotation=unknown, policy="{}", tags=dict(BASE_TAGS))
        cloudwatch.LogGroup("logs", kms_key_id=key.arn, retention_in_days=30, tags=dict(BASE_TAGS))

    pulumi.runtime.test(program)()
    found = {(v["policy"], v["urn"].rsplit("::", 1)[1]): v["message"] for v in evaluate(monitor.registered)}
    assert found[("kms-key-rotation-enabled", "key")] == (
        "enableKeyRotation is unknown at preview, so 'yearly rotation of key material' cannot be verified; "
        "set it to True explicitly"
    )
    # the log group's key ARN is unknown at preview too, but it comes from a key of the stack: set
    assert ("log-group-encrypted-with-cmk", "logs") not in found


def test_the_policy_pack_starts_with_every_rule():
    process = subprocess.Popen(
        [sys.executable, "__main__.py"],
        cwd=REPO / "policies",
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        port = process.stdout.readline().strip()
        assert port.isdigit(), process.stderr.read()
    finally:
        process.kill()
        process.wait()
