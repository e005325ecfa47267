"""docs/ is what users read: the source contract as the jobs run it, the gold definitions as shared,
and docstrings that point there rather than outside the repo."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from etl.contract_doc import render
from lakehouse.docs import replace_section

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "contracts"
OWN_CODE = [
    *sorted((REPO / "etl").rglob("*.py")),
    *sorted((REPO / "lakehouse" / "local").glob("*.py")),
    REPO / "bench" / "benchmark.py",
]


def test_source_contract_doc_is_the_packaged_contract():
    text = (REPO / "docs" / "source_contract.md").read_text()
    assert replace_section(text, render(), "source-contract") == text, "run `make docs` (or python -m etl.contract_doc)"


def test_gold_metrics_doc_is_the_shared_definition():
    if not SHARED.exists():
        pytest.skip("shared/contracts is not beside this checkout")
    assert (REPO / "docs" / "gold_metrics.md").read_text() == (SHARED / "gold_metrics.md").read_text()


@pytest.mark.parametrize("path", OWN_CODE, ids=[str(p.relative_to(REPO)) for p in OWN_CODE])
def test_code_cites_the_docs_in_the_repo(path):
    text = path.read_text()
    assert "shared/" not in text
    assert re.findall(r"(?<!docs/)gold_metrics\.md", text) == []
