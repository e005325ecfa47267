"""Wire a stack from its config: validate, build enabled components in order, export outputs.

``__main__.py`` calls :func:`build_stack` and nothing else, so it names no component; adding one is
a registration (built-in or entry point) plus a block in the stack file.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import pulumi
import pulumi_aws as aws

from .config import read_stack_settings
from .iam import KeyPolicyScope, Statement
from .registry import BuildContext, Registry, StackComponent, exported


def build_stack(registry: Registry | None = None) -> dict[str, StackComponent]:
    """Build every enabled component of the current stack; returns them by config key."""
    settings = read_stack_settings()
    registry = registry or Registry.discover()
    ordered = registry.plan(settings.components)  # raises before any resource is registered

    # Default tags are a safety net only: mocks and policy checks see the tags each component
    # merges into each resource explicitly.
    region = pulumi.Config("aws").get("region")
    provider = aws.Provider(
        "aws",
        region=region,
        default_tags=aws.ProviderDefaultTagsArgs(tags=settings.resource_tags()),
    )
    opts = pulumi.ResourceOptions(providers={"aws": provider})

    key_grants = tuple(
        functools.partial(_grant, registration.key_policy, config)
        for registration, config in ordered
        if registration.key_policy is not None
    )
    built: dict[str, StackComponent] = {}
    for registration, config in ordered:
        context = BuildContext(
            settings=settings,
            dependencies=dict(built)
            if registration.observes_all
            else {key: built[key] for key in registration.depends_on},
            opts=opts,
            key_grants=key_grants,
        )
        component: StackComponent = registration.factory(registration.key, config, context)
        built[registration.key] = component
        pulumi.export(registration.key, exported(component.stack_outputs()))
    return built


def _grant(
    key_policy: Callable[[KeyPolicyScope, Any], Sequence[Statement]], config: Any, scope: KeyPolicyScope
) -> Sequence[Statement]:
    return key_policy(scope, config)
