"""The escalation methods the pack reads are a verbatim copy of their maintained source
(cloudsplaining, installed beside Checkov in .venv-checkov), at the version recorded with them."""

from __future__ import annotations

import json
import subprocess

import pytest

from policies.guardrails.escalation import PRIVILEGE_ESCALATION_METHODS, SOURCE
from tests.conftest import REPO

PYTHON = REPO / ".venv-checkov" / "bin" / "python"
READ_SOURCE = f"""
import importlib, importlib.metadata, json
module = importlib.import_module("{SOURCE["file"].removesuffix(".py").replace("/", ".")}")
print(json.dumps({{"version": importlib.metadata.version("{SOURCE["package"]}"),
                   "methods": getattr(module, "{SOURCE["name"]}")}}))
"""


@pytest.fixture(scope="module")
def installed() -> dict:
    if not PYTHON.exists():
        pytest.fail(f"{PYTHON} is missing: run `make checkov` (Checkov and cloudsplaining in .venv-checkov)")
    result = subprocess.run([str(PYTHON), "-c", READ_SOURCE], capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def test_the_recorded_version_is_the_installed_one(installed):
    assert installed["version"] == SOURCE["version"]


def test_the_escalation_methods_equal_the_source(installed):
    assert PRIVILEGE_ESCALATION_METHODS == installed["methods"]
