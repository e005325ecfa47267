"""Generated reference sections (config, alarms, dashboard, state machine, policy rules) must not go stale."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from lakehouse.docs import (
    alarm_reference,
    config_reference,
    dashboard_layout,
    generated_sections,
    policy_reference,
    replace_section,
)
from tests.conftest import REPO

LAKEHOUSE = str(Path(sys.executable).with_name("lakehouse"))


SECTIONS = generated_sections()


@pytest.mark.parametrize("relative, name, content", SECTIONS, ids=[relative for relative, _, _ in SECTIONS])
def test_generated_section_is_current(relative, name, content):
    text = (REPO / relative).read_text()
    assert replace_section(text, content, name) == text, f"run `make docs` and commit {relative}"


def test_every_config_field_is_documented_with_a_description():
    rows = [line for line in config_reference().splitlines() if line.startswith("| `lakehouse:")]
    assert len(rows) > 20
    assert all(not line.rstrip().endswith("|  |") for line in rows)


def test_docs_check_fails_on_a_stale_file(tmp_path):
    for relative in ("README.md", "policies/README.md"):
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text((REPO / relative).read_text())
    readme = tmp_path / "README.md"
    readme.write_text(readme.read_text().replace("Create the VPC", "Make a VPC"))
    result = subprocess.run(
        [LAKEHOUSE, "docs", "--check", "--project-dir", str(tmp_path)], capture_output=True, text=True
    )
    assert result.returncode == 1
    assert "stale generated sections in README.md" in result.stderr


def test_the_checkov_column_is_what_the_cross_check_observed():
    observed = json.loads((REPO / "policies" / "guardrails" / "checkov_observed.json").read_text())
    rows = {
        line.split(" | ")[0].strip("| `"): line for line in policy_reference().splitlines() if line.startswith("| `")
    }
    for rule, checks in observed["rules"].items():
        assert rows[rule].endswith(f"| {', '.join(checks)} |")
    assert rows["emr-serverless-in-vpc"].endswith("|  |")  # no Checkov check fails where this rule reports


def test_the_defects_checkov_misses_are_listed():
    assert "- `security-group-no-world-ingress: bad-sg-mongo`" in policy_reference().splitlines()


def test_the_dashboard_layout_shows_every_alarm_under_its_component_three_to_a_line():
    alarms = [line.split(" | ")[:2] for line in alarm_reference().splitlines()[2:]]
    layout = dashboard_layout().splitlines()[2:]
    component, placed = None, []
    for row in layout:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        assert len(cells) == 3
        if cells[0].startswith("**"):
            component = cells[0].strip("*")
            continue
        placed += [[f"| {component}", cell.split(":", 1)[0]] for cell in cells if cell]
    assert placed == alarms  # the same alarms, in the same order, each under its own component
