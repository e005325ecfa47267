"""Tagging: the required tags on every taggable resource, as values known at preview."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from . import types as t
from .framework import MANDATORY, UNKNOWN, get, resource_rule
from .required_tags import REQUIRED_TAG_KEYS

DEFAULT_REQUIRED_TAGS = list(REQUIRED_TAG_KEYS)


@resource_rule(
    "required-tags",
    "Every taggable resource carries the required tags with non-empty values known at preview",
    t.TAGGABLE,
    MANDATORY,
    "tagging",
    config_schema={"requiredTags": {"type": "array", "items": {"type": "string"}, "minItems": 1}},
    defaults={"requiredTags": DEFAULT_REQUIRED_TAGS},
)
def required_tags(props: Any, config: Any, _: str) -> Iterable[str]:
    tags = get(props, "tags")
    if tags is UNKNOWN:
        yield "tags are unknown at preview: pass plain values, not Outputs"
        return
    tags = tags or {}
    missing = [key for key in config["requiredTags"] if key not in tags or tags[key] in (None, "")]
    unknown = [key for key in config["requiredTags"] if tags.get(key) is UNKNOWN]
    if missing:
        yield f"missing required tags: {', '.join(missing)}"
    if unknown:
        yield f"tags unknown at preview (use plain values): {', '.join(unknown)}"


RULES = [required_tags]
