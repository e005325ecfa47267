"""Tags: merged into each resource explicitly, because mocks and preview-time policy checks see
neither transforms nor provider default tags.
"""

from __future__ import annotations

import functools
import importlib
import inspect
from typing import Mapping

REQUIRED_TAG_KEYS = ("project", "environment", "owner", "cost-center", "data-classification")


def with_name(tags: Mapping[str, str], name: str | None = None, **extra: str) -> dict[str, str]:
    """The stack tags plus a ``Name`` (shown by the AWS console) and any extra tags."""
    merged = dict(tags)
    if name:
        merged["Name"] = name
    merged.update(extra)
    return merged


@functools.lru_cache(maxsize=None)
def is_taggable(type_token: str) -> bool:
    """Whether a pulumi-aws resource type accepts ``tags`` (read from its Python class).

    ``aws:s3/bucket:Bucket`` -> ``pulumi_aws.s3.Bucket``; non-AWS types are not taggable here.
    """
    package, _, rest = type_token.partition(":")
    if package != "aws" or rest.startswith("index/"):
        return False
    module_path, _, class_name = rest.partition(":")
    module = importlib.import_module(f"pulumi_aws.{module_path.split('/')[0]}")
    cls = getattr(module, class_name, None)
    return cls is not None and "tags" in inspect.signature(cls._internal_init).parameters
