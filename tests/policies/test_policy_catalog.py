"""The guardrails' catalogue matches pulumi-aws and Checkov's list, and the pack stays light."""

from __future__ import annotations

import ast
import csv
import importlib
import json
from pathlib import Path

import pytest

from components.tagging import is_taggable, pulumi_class
from policies.guardrails import RULES, types
from policies.guardrails.checkov import NOT_COVERED, STACK_EXCEPTIONS
from tests.conftest import REPO

CHECKOV = Path(__file__).resolve().parents[3] / "shared" / "reference" / "checkov_aws_checks.tsv"
ALL_TYPES = sorted({token for rule in RULES for token in rule.resource_types})
OBSERVED = json.loads((REPO / "policies" / "guardrails" / "checkov_observed.json").read_text())


@pytest.mark.parametrize("token", ALL_TYPES)
def test_every_guarded_type_exists_in_pulumi_aws(token):
    cls = pulumi_class(token)
    assert cls is not None, token
    assert f"'{token}'" in Path(importlib.import_module(cls.__module__).__file__).read_text()


def test_taggable_list_matches_pulumi_aws():
    assert [t for t in types.TAGGABLE if not is_taggable(t)] == []
    guarded_taggable = {t for t in ALL_TYPES if is_taggable(t)}
    assert guarded_taggable - set(types.TAGGABLE) == set()


def test_every_checkov_check_is_observed_failing_with_a_rule_or_left_out_with_a_reason():
    if not CHECKOV.exists():
        pytest.skip("shared/reference is not beside this checkout")
    listed = {row["id"] for row in csv.DictReader(CHECKOV.open(), delimiter="\t")}
    observed = {check for checks in OBSERVED["rules"].values() for check in checks}
    assert listed - observed - set(NOT_COVERED) == set(), "plant a fixture case Checkov fails, or say why not"


def test_an_observed_check_is_never_also_a_documented_exception():
    observed = {check for checks in OBSERVED["rules"].values() for check in checks}
    assert observed & set(NOT_COVERED) == set()


def test_every_exception_has_a_reason():
    reasons = [*NOT_COVERED.values(), *(why for checks in STACK_EXCEPTIONS.values() for why in checks.values())]
    assert all(len(reason) > 20 for reason in reasons)


def test_observations_name_only_existing_rules():
    assert set(OBSERVED["rules"]) <= {rule.name for rule in RULES}


def test_rule_names_are_unique_and_levels_valid():
    names = [rule.name for rule in RULES]
    assert len(names) == len(set(names))
    assert {rule.level for rule in RULES} <= {"mandatory", "advisory"}
    assert all(rule.level == "mandatory" for rule in RULES if rule.domain in ("encryption at rest", "tagging"))


def test_guardrails_import_nothing_but_the_policy_sdk_and_the_standard_library():
    allowed = {"pulumi_policy", "__future__", "json", "re", "dataclasses", "typing", "collections"}
    for path in (REPO / "policies" / "guardrails").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                assert node.module.split(".")[0] in allowed, f"{path.name} imports {node.module}"
            elif isinstance(node, ast.Import):
                assert all(a.name.split(".")[0] in allowed for a in node.names), path.name
