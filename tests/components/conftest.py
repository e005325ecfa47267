"""What the component tests share: a component used as a library under mocks, the plans of the repo's
stacks with a component block, the access models of those plans, and the values of a plan they read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import pulumi
import pytest

from components.config import ConfigError
from components.registry import Registry
from lakehouse.preview.access import AccessModel
from lakehouse.preview.mocks import AwsMocks
from lakehouse.preview.plan import Plan
from tests.conftest import plan_stack_with

T = TypeVar("T")

# --- a component as a library, outside any stack config -------------------------------------------


class Recorder(AwsMocks):
    """Mocks that keep every resource's inputs, keyed by logical name."""

    def __init__(self):
        super().__init__()
        self.created: dict[str, object] = {}

    def new_resource(self, args):
        self.created[args.name] = args
        return super().new_resource(args)

    def of_type(self, type_token):
        return [a for a in self.created.values() if a.typ == type_token]


def library_mocks() -> Recorder:
    """Fresh recording mocks, installed for a program that is not a stack."""
    mocks = Recorder()
    pulumi.runtime.set_mocks(mocks, project="library", stack="test", preview=False)
    return mocks


def build(make: Callable[[], object]) -> Recorder:
    """Run ``make()`` under mocks and wait until every resource it registers is registered."""
    mocks = library_mocks()
    pulumi.runtime.test(lambda: make() and None)()
    return mocks


def build_component(make: Callable[[], T]) -> tuple[Recorder, T]:
    """:func:`build`, and what ``make()`` returned: the component whose attributes or alarms a test reads."""
    made: list[T] = []
    mocks = build(lambda: made.append(make()))
    return mocks, made[0]


# --- the repo's stacks with a component block ------------------------------------------------------


def planned(stack: str, **blocks: Any):
    """A module-scoped fixture: the repo's ``stack`` stack with these component blocks added or
    replaced (``None`` removes one). Module scope: a mocked plan costs seconds."""

    @pytest.fixture(scope="module")
    def plan(tmp_path_factory: pytest.TempPathFactory) -> Plan:
        return plan_stack_with(tmp_path_factory.mktemp(stack), stack, **blocks)

    return plan


def planned_per_stack(key: str, *, dev: Any, prod: Any):
    """A module-scoped fixture: ``{"dev": plan, "prod": plan}``, each repo stack with its block for
    component ``key`` (read one at a time through the ``stack`` fixture)."""

    @pytest.fixture(scope="module")
    def plans(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Plan]:
        return {
            "dev": plan_stack_with(tmp_path_factory.mktemp("dev"), "dev", **{key: dev}),
            "prod": plan_stack_with(tmp_path_factory.mktemp("prod"), "prod", **{key: prod}),
        }

    return plans


@pytest.fixture(params=["dev", "prod"])
def stack(request: pytest.FixtureRequest, plans: dict[str, Plan]) -> tuple[str, Plan]:
    """``(name, plan)`` of each stack of the module's ``plans`` fixture: the test runs once per stack."""
    return request.param, plans[request.param]


def access_model(plan: str):
    """A module-scoped fixture: the offline access model of the plan fixture named ``plan``."""

    @pytest.fixture(scope="module")
    def model(request: pytest.FixtureRequest) -> AccessModel:
        return AccessModel.from_records(request.getfixturevalue(plan).records)

    return model


# --- values of a plan ------------------------------------------------------------------------------


def bucket_arn(plan: Plan, role: str) -> str:
    """The ARN of one of the foundation's buckets (``raw``, ``processed``, ``athena_results``, ...)."""
    return f"arn:aws:s3:::{plan.outputs['foundation']['buckets'][role]}"


def key_arn(plan: Plan) -> str:
    """The stack key's ARN."""
    return plan.outputs["foundation"]["kms_key_arn"]


# --- config errors ---------------------------------------------------------------------------------


def config_problems(key: str, block: dict[str, Any]) -> list[str]:
    """The problems the registry reports for component ``key``'s ``block`` beside a default foundation."""
    with pytest.raises(ConfigError) as error:
        Registry.discover().plan({"foundation": {}, key: block})
    return error.value.problems
