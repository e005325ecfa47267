"""Checks of an Amazon States Language document shared by the batch tests: the real ASL grammar
(moto's Step Functions parser, LocalStack's) and the references the grammar does not check."""

from __future__ import annotations

import json
from typing import Any

from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser


def parse(definition: dict[str, Any]) -> None:
    """Raise unless the document is valid ASL (grammar, state types, fields, intrinsic functions)."""
    AmazonStateLanguageParser.parse(json.dumps(definition))


def dangling_references(definition: dict[str, Any]) -> list[str]:
    """Every StartAt/Next/Catch target that names no state of its own scope, and every state no
    path reaches: the parser checks neither, Step Functions rejects both."""
    problems: list[str] = []

    def check(scope: dict[str, Any], where: str) -> None:
        states = scope["States"]
        targets = [scope["StartAt"]]
        for name, state in states.items():
            targets += [state["Next"]] if "Next" in state else []
            targets += [catch["Next"] for catch in state.get("Catch", [])]
            for index, branch in enumerate(state.get("Branches", [])):
                check(branch, f"{where}{name}[{index}]/")
        problems.extend(f"{where}{target}: no such state" for target in targets if target not in states)
        problems.extend(f"{where}{name}: unreachable" for name in states if name not in targets)

    check(definition, "")
    return problems
