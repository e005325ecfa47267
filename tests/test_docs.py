"""The README's config reference is generated from the models and must not go stale."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from lakehouse.docs import config_reference, replace_section
from tests.conftest import REPO


def test_readme_config_reference_is_current():
    readme = (REPO / "README.md").read_text()
    assert replace_section(readme, config_reference()) == readme, "run `make docs` and commit README.md"


def test_every_config_field_is_documented_with_a_description():
    rows = [line for line in config_reference().splitlines() if line.startswith("| `lakehouse:")]
    assert len(rows) > 20
    assert all(not line.rstrip().endswith("|  |") for line in rows)


def test_docs_check_fails_on_a_stale_file(tmp_path):
    stale = tmp_path / "README.md"
    stale.write_text((REPO / "README.md").read_text().replace("Create the VPC", "Make a VPC"))
    lakehouse = str(Path(sys.executable).with_name("lakehouse"))
    result = subprocess.run([lakehouse, "docs", "--check", str(stale)], capture_output=True, text=True)
    assert result.returncode == 1
    assert "config reference is stale" in result.stderr
