"""docs/components/batch.md: its state machine diagram is the generated one, and it documents every option."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel

from components.batch import BatchConfig
from components.batch.diagram import markdown, mermaid
from etl.graph import JOBS, JobSpec, all_in_order

DOC = Path(__file__).resolve().parents[3] / "docs" / "components" / "batch.md"
BLOCK = re.compile(r"<!-- batch-state-machine:start -->\n(.*?)<!-- batch-state-machine:end -->", re.DOTALL)


def _paths(model: type[BaseModel], prefix: str) -> list[str]:
    paths = []
    for name, field in model.model_fields.items():
        nested = (
            field.annotation if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel) else None
        )
        paths += _paths(nested, f"{prefix}.{name}") if nested else [f"{prefix}.{name}"]
    return paths


def test_the_docs_diagram_is_the_one_generated_from_the_graph():
    (block,) = BLOCK.findall(DOC.read_text())
    assert block == markdown(all_in_order(JOBS))


def test_the_diagram_forks_where_jobs_are_independent_and_names_the_runner():
    jobs = [
        JobSpec("silver", "etl.jobs.silver", "silver", heavy=True),
        JobSpec("processed", "etl.jobs.processed", "processed"),
        JobSpec("gold", "etl.jobs.gold", "gold", depends_on=("silver", "processed")),
    ]
    lines = mermaid(jobs, emr_heavy=True).splitlines()
    assert '  silver["silver<br/>EMR Serverless"]' in lines
    assert '  processed["processed<br/>Glue 5.1"]' in lines
    assert lines[-5:] == [
        "  start --> silver & processed",
        "  silver & processed --> gold",
        "  gold --> succeeded",
        "  silver & processed & gold -. error after retries .-> notify",
        "  notify --> failed",
    ]


def test_every_config_option_is_documented():
    text = DOC.read_text()
    missing = [path for path in _paths(BatchConfig, "lakehouse:components.batch") if f"`{path}`" not in text]
    assert missing == []
