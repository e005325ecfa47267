"""The lakehouse guardrails: every rule of the policy pack, importable without starting a pack.

``policies/__main__.py`` turns :data:`RULES` into a ``PolicyPack``; ``lakehouse plan`` runs the very
same policy objects offline; tests call them with the SDK's argument classes.
"""

from . import audit, encryption, exposure, least_privilege, operations, s3, tagging, transit
from .framework import ADVISORY, MANDATORY, UNKNOWN, Node, Rule
from .tagging import DEFAULT_REQUIRED_TAGS

PACK_NAME = "lakehouse-guardrails"

RULES: list[Rule] = [
    *encryption.RULES,
    *s3.RULES,
    *transit.RULES,
    *exposure.RULES,
    *tagging.RULES,
    *least_privilege.RULES,
    *operations.RULES,
    *audit.RULES,
]


def policies() -> list:
    """The Pulumi policy objects of every rule, in a stable order."""
    return [rule.policy() for rule in RULES]


__all__ = [
    "ADVISORY",
    "DEFAULT_REQUIRED_TAGS",
    "MANDATORY",
    "PACK_NAME",
    "RULES",
    "UNKNOWN",
    "Node",
    "Rule",
    "policies",
]
