"""Reading IAM and resource policy documents: statements, principals, wildcards."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from .framework import UNKNOWN


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def parse(document: Any) -> tuple[dict[str, Any] | None, str | None]:
    """``(document, None)`` or ``(None, problem)``; an unknown document is a problem, not a pass."""
    if document is UNKNOWN:
        return None, "the policy document is unknown at preview, so it cannot be checked; build it from known values"
    if isinstance(document, dict):
        return document, None
    if isinstance(document, str) and document.strip():
        try:
            parsed = json.loads(document)
        except json.JSONDecodeError as error:
            return None, f"the policy document is not valid JSON ({error.msg})"
        return (parsed, None) if isinstance(parsed, dict) else (None, "the policy document is not a JSON object")
    return None, None  # absent: nothing to check


def statements(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in as_list(document.get("Statement")) if isinstance(s, dict)]


def numbered_statements(document: Any) -> tuple[list[tuple[int, dict[str, Any]]], str | None]:
    """``([(index, statement), ...], None)``, or ``([], problem)`` when the document cannot be read."""
    parsed, problem = parse(document)
    return list(enumerate(statements(parsed or {}))), problem


def actions(statement: dict[str, Any]) -> list[str]:
    """A statement's ``Action`` as a list of strings (one action or many)."""
    return [str(action) for action in as_list(statement.get("Action"))]


def allows(statement: dict[str, Any]) -> bool:
    return statement.get("Effect") == "Allow"


def principals(statement: dict[str, Any]) -> list[str]:
    """Every principal value of a statement, whatever its kind (AWS, Service, Federated, or "*")."""
    principal = statement.get("Principal")
    if isinstance(principal, dict):
        return [str(p) for values in principal.values() for p in as_list(values)]
    return [str(p) for p in as_list(principal)]


def is_public(statement: dict[str, Any]) -> bool:
    """Allow to everyone (``*`` or ``{"AWS": "*"}``) with no condition to narrow it."""
    return allows(statement) and "*" in principals(statement) and not statement.get("Condition")


def sid(statement: dict[str, Any], index: int) -> str:
    return f"statement {statement.get('Sid') or index}"


def public_statement_problems(document: Any) -> Iterable[str]:
    numbered, problem = numbered_statements(document)
    if problem:
        yield problem
    for index, statement in numbered:
        if is_public(statement):
            yield f"{sid(statement, index)} allows Principal '*' with no Condition: anyone on the internet"
