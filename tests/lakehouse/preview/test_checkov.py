"""Checkov, run on the translated plans, cross-checks the policy pack.

Checkov lives in its own virtualenv (.venv-checkov, created by `make checkov`), apart from the
platform's dependencies. One Checkov run reads three Terraform plan documents: the insecure fixture
plugin's and the repo's dev and prod stacks. Then:

- every Checkov failure on the fixture coincides with one of our violations on the same resource
  (or a resource it configures, or that configures it: a bucket and its settings), or is a
  documented exception (policies/guardrails/checkov.py);
- dev and prod fail no Checkov check but documented exceptions;
- which Checkov checks coincide with which rule is recorded in policies/guardrails/checkov_observed.json,
  from which `make docs` writes the policies/README Checkov column. When the runs show something else
  the test fails; `LAKEHOUSE_UPDATE_CHECKOV=1 pytest tests/lakehouse/preview/test_checkov.py` rewrites
  the record, then `make docs` the README.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from lakehouse.preview.mocks import Registered
from lakehouse.preview.plan import Plan
from lakehouse.preview.policy_gate import evaluate
from lakehouse.preview.terraform import addresses, to_terraform_plan
from policies.guardrails.checkov import NOT_COVERED, STACK_EXCEPTIONS
from tests.conftest import BASE_STACK, FIXTURES, REPO, plan_config, violations

CHECKOV = REPO / ".venv-checkov" / "bin" / "checkov"
OBSERVED = REPO / "policies" / "guardrails" / "checkov_observed.json"
STACKS = ("fixture", "dev", "prod")


def _install_fixture(target: Path) -> None:
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation"]
    subprocess.run([*pip, "--target", str(target), str(FIXTURES / "insecure_plugin")], check=True, capture_output=True)


@pytest.fixture(scope="module")
def fixture_plan(tmp_path_factory) -> Plan:
    """The insecure plugin, pip-installed like a third party's, planned in-process."""
    site = tmp_path_factory.mktemp("insecure-site")
    _install_fixture(site)
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(site))
        importlib.invalidate_caches()
        config = {**BASE_STACK, "lakehouse:components": {"insecure_everything": {}}}
        plan = plan_config(tmp_path_factory.mktemp("insecure-stack"), config)
    for name in [m for m in sys.modules if m.startswith("lakehouse_insecure_fixture")]:
        del sys.modules[name]
    return plan


@pytest.fixture(scope="module")
def plans(fixture_plan, dev_plan, prod_plan) -> dict[str, Plan]:
    return {"fixture": fixture_plan, "dev": dev_plan, "prod": prod_plan}


@pytest.fixture(scope="module")
def checkov_report(plans, tmp_path_factory) -> dict[str, Any]:
    """Checkov's JSON report over the three translated plans (one run, one file each)."""
    if not CHECKOV.exists():
        pytest.fail(f"Checkov is not installed at {CHECKOV}: run `make checkov` (its own venv, .venv-checkov)")
    directory = tmp_path_factory.mktemp("terraform-plans")
    for stack, plan in plans.items():
        (directory / f"{stack}.json").write_text(json.dumps(to_terraform_plan(plan)))
    files = [arg for stack in STACKS for arg in ("-f", str(directory / f"{stack}.json"))]
    result = subprocess.run(
        [str(CHECKOV), *files, "--framework", "terraform_plan", "-o", "json", "--skip-download"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.stdout.strip(), result.stderr[-2000:]
    report = json.loads(result.stdout)
    return report[0] if isinstance(report, list) else report


def failures(report: dict[str, Any], stack: str) -> list[tuple[str, str]]:
    """(check id, Terraform address) of every failed check on one stack's plan."""
    return sorted(
        (f["check_id"], f["resource"]) for f in report["results"]["failed_checks"] if Path(f["file_path"]).stem == stack
    )


def _related(records: list[Registered]) -> dict[str, set[str]]:
    """Each resource with those it configures and those configuring it (one property-dependency hop)."""
    related: dict[str, set[str]] = defaultdict(set)
    for record in records:
        related[record.urn].add(record.urn)
        for urns in record.property_dependencies.values():
            for urn in urns:
                related[record.urn].add(urn)
                related[urn].add(record.urn)
    return related


def cross_check(plan: Plan, found: list[tuple[str, str]], reported: list[dict]) -> tuple[list, list]:
    """(matched, unmatched): matched as (check, address, rules reported on the related resources)."""
    urn_of = {address: urn for urn, address in addresses(plan.records).items()}
    related = _related(plan.records)
    rules_on: dict[str, set[str]] = defaultdict(set)
    for violation in reported:
        rules_on[violation["urn"]].add(violation["policy"])
    matched, unmatched = [], []
    for check, address in found:
        if check in NOT_COVERED:
            continue
        rules = {rule for urn in related[urn_of[address]] for rule in rules_on[urn]}
        (matched if rules else unmatched).append((check, address, frozenset(rules)))
    return matched, unmatched


def observed(matched: list) -> dict[str, list[str]]:
    """Rule -> the Checkov checks that failed where it reported. A finding on a resource that carries
    one rule's violation names that rule; a check seen only where several rules reported names those
    they all share (or, failing that, each of them)."""
    single: dict[str, set[str]] = defaultdict(set)
    shared: dict[str, list[frozenset]] = defaultdict(list)
    for check, _, rules in matched:
        (single[check].update(rules) if len(rules) == 1 else shared[check].append(rules))
    by_rule: dict[str, set[str]] = defaultdict(set)
    for check in set(single) | set(shared):
        rules = single[check] or frozenset.intersection(*shared[check]) or frozenset.union(*shared[check])
        for rule in rules:
            by_rule[rule].add(check)
    return {rule: sorted(checks) for rule, checks in sorted(by_rule.items())}


def missed(plan: Plan, found: list[tuple[str, str]], reported: list[dict]) -> list[str]:
    """Our violations ("rule: resource") where Checkov reports nothing, bar documented exceptions."""
    urn_of = {address: urn for urn, address in addresses(plan.records).items()}
    related = _related(plan.records)
    seen = {urn for check, address in found if check not in NOT_COVERED for urn in related[urn_of[address]]}
    names = {record.urn: record.name for record in plan.records}
    return sorted({f"{v['policy']}: {names[v['urn']]}" for v in reported if v["urn"] not in seen})


@pytest.fixture(scope="module")
def fixture_cross_check(fixture_plan, checkov_report):
    reported = evaluate(fixture_plan.records)
    found = failures(checkov_report, "fixture")
    return (*cross_check(fixture_plan, found, reported), missed(fixture_plan, found, reported))


def test_checkov_reads_every_translated_resource(checkov_report, plans):
    assert checkov_report["summary"]["parsing_errors"] == 0
    assert checkov_report["summary"]["resource_count"] == sum(len(addresses(p.records)) for p in plans.values())


def test_every_checkov_failure_on_the_fixture_is_one_of_our_violations_or_a_documented_exception(
    fixture_cross_check,
):
    matched, unmatched, _ = fixture_cross_check
    assert unmatched == [], "\n".join(f"{check} {address}" for check, address, _ in unmatched)
    assert len(matched) > 40


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_repo_stack_fails_no_checkov_check_but_documented_exceptions(stack, checkov_report, plans):
    documented = {*NOT_COVERED, *STACK_EXCEPTIONS.get(stack, {})}
    undocumented = [
        f"{check} {address}" for check, address in failures(checkov_report, stack) if check not in documented
    ]
    assert undocumented == [], "\n".join(undocumented)
    assert violations(plans[stack], stack) == []


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_checkov_links_every_bucket_of_a_repo_stack_to_its_settings(stack, checkov_report, plans):
    """Graph checks pass only when references connect a bucket to its encryption and access block."""
    buckets = {a for a in addresses(plans[stack].records).values() if a.startswith("aws_s3_bucket.")}
    passed = checkov_report["results"]["passed_checks"]
    for check in ("CKV_AWS_145", "CKV2_AWS_6", "CKV_AWS_21"):
        linked = {p["resource"] for p in passed if p["check_id"] == check and Path(p["file_path"]).stem == stack}
        assert linked == buckets, check


def test_checkov_misses_the_data_store_port_open_to_the_world(fixture_cross_check):
    *_, misses = fixture_cross_check
    assert "security-group-no-world-ingress: bad-sg-mongo" in misses
    assert "security-group-no-world-ingress: bad-sg-ssh" not in misses


def test_the_recorded_observations_are_what_checkov_shows(fixture_cross_check, checkov_report):
    matched, _, misses = fixture_cross_check
    current = {
        "checkov_version": checkov_report["summary"]["checkov_version"],
        "rules": observed(matched),
        "checkov_misses": misses,
    }
    if os.environ.get("LAKEHOUSE_UPDATE_CHECKOV") == "1":
        OBSERVED.write_text(json.dumps(current, indent=2) + "\n")
    recorded = json.loads(OBSERVED.read_text())
    assert recorded == current, (
        "Checkov shows other observations: LAKEHOUSE_UPDATE_CHECKOV=1 pytest tests/lakehouse/preview/test_checkov.py"
        " && make docs"
    )
