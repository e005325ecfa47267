"""The standard registration factory: a component built on the stack's foundation.

Every component but the foundation is built the same way from the stack: its key as its name, its
validated config, the foundation, the stack's tags and name prefix, and the stack's provider. A
component that needs more (another dependency, the enabled components) names those arguments,
each computed from the build context.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from .foundation import DataLakeFoundation
from .registry import BuildContext, StackComponent

C = TypeVar("C", bound=StackComponent)


def standard_factory(
    component: Callable[..., C], **arguments: Callable[[BuildContext], Any]
) -> Callable[[str, Any, BuildContext], C]:
    """``Registration(factory=standard_factory(Analytics))``; ``arguments`` add keyword arguments
    from the context: ``standard_factory(DocumentStore, streaming=lambda c: c.dependency(...))``."""

    def build(key: str, config: Any, context: BuildContext) -> C:
        return component(
            key,
            config=config,
            foundation=context.dependency("foundation", DataLakeFoundation),
            **{argument: value(context) for argument, value in arguments.items()},
            tags=context.tags,
            name_prefix=context.settings.name_prefix,
            opts=context.opts,
        )

    return build
