"""The lakehouse platform's reusable Pulumi components.

Use them from any Pulumi project (``from components import DataLakeFoundation``), or let a stack
build them from config through the plugin registry (``components.stack.build_stack``).
"""

from .config import ConfigError, StackSettings
from .foundation import DataLakeFoundation, FoundationConfig
from .registry import BuildContext, Registration, Registry

__all__ = [
    "BuildContext",
    "ConfigError",
    "DataLakeFoundation",
    "FoundationConfig",
    "Registration",
    "Registry",
    "StackSettings",
]
