"""Tags: merged into each resource explicitly, because mocks and preview-time policy checks see
neither transforms nor provider default tags.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import keyword
from collections.abc import Mapping
from typing import Any

from policies.guardrails.required_tags import REQUIRED_TAG_KEYS

__all__ = ["REQUIRED_TAG_KEYS", "is_taggable", "pulumi_class", "with_name"]


def with_name(tags: Mapping[str, str], name: str | None = None, **extra: str) -> dict[str, str]:
    """The stack tags plus a ``Name`` (shown by the AWS console) and any extra tags."""
    merged = dict(tags)
    if name:
        merged["Name"] = name
    merged.update(extra)
    return merged


def pulumi_class(type_token: str) -> type | None:
    """The pulumi-aws Python class of a type token: ``aws:s3/bucket:Bucket`` -> ``pulumi_aws.s3.Bucket``."""
    package, _, rest = type_token.partition(":")
    if package != "aws" or rest.startswith("index/"):
        return None
    module_path, _, class_name = rest.partition(":")
    module_name = module_path.split("/")[0]
    module_name += "_" if keyword.iskeyword(module_name) else ""  # aws:lambda/... lives in pulumi_aws.lambda_
    return getattr(importlib.import_module(f"pulumi_aws.{module_name}"), class_name, None)


@functools.cache
def is_taggable(type_token: str) -> bool:
    """Whether a pulumi-aws resource type accepts ``tags`` (read from its Python class)."""
    cls: Any = pulumi_class(type_token)  # a pulumi-aws resource class: it has _internal_init
    return cls is not None and "tags" in inspect.signature(cls._internal_init).parameters
