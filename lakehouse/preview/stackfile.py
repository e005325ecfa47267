"""Read a Pulumi stack settings file (``Pulumi.<stack>.yaml``) into the engine's config form.

The engine hands a program its config as ``{"namespace:key": "string"}`` with objects as JSON;
``lakehouse plan`` does the same so that the real program reads it the real way. Secure values
(``{secure: ...}``), which only the Pulumi CLI can decrypt, become visible placeholders.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

SECRET_PLACEHOLDER = "[secret]"


class StackFileError(Exception):
    """A stack file that cannot be read: missing, not YAML, or not a Pulumi stack file."""


@dataclass(frozen=True)
class StackConfig:
    name: str
    path: Path
    config: dict[str, str]
    secret_keys: list[str]

    @property
    def region(self) -> str:
        return self.config.get("aws:region", "us-east-1")


def _replace_secrets(value: Any) -> tuple[Any, bool]:
    """Swap every ``{secure: ...}`` for the placeholder; say whether any was found."""
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            return SECRET_PLACEHOLDER, True
        found = False
        replaced = {}
        for key, item in value.items():
            replaced[key], secret = _replace_secrets(item)
            found = found or secret
        return replaced, found
    if isinstance(value, list):
        pairs = [_replace_secrets(item) for item in value]
        return [item for item, _ in pairs], any(secret for _, secret in pairs)
    return value, False


def _as_config_string(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value)  # objects, lists, numbers and booleans travel as JSON text


def read_stack_file(path: Path, project: str, name: str | None = None) -> StackConfig:
    """Parse a stack settings file; keys without a namespace belong to ``project``."""
    try:
        document = yaml.safe_load(path.read_text())
    except FileNotFoundError:
        raise StackFileError(f"{path}: no such stack settings file") from None
    except yaml.YAMLError as error:
        raise StackFileError(f"{path}: not valid YAML: {error}") from None
    document = document or {}
    if not isinstance(document, dict) or not isinstance(document.get("config", {}), dict):
        raise StackFileError(f"{path}: expected a mapping with a 'config:' mapping")
    config: dict[str, str] = {}
    secret_keys: list[str] = []
    for key, value in (document.get("config") or {}).items():
        full_key = key if ":" in key else f"{project}:{key}"
        plain_value, secret = _replace_secrets(value)
        config[full_key] = _as_config_string(plain_value)
        if secret:
            secret_keys.append(full_key)
    stack_name = name or path.name.removeprefix("Pulumi.").removesuffix(".yaml").removesuffix(".yml")
    return StackConfig(name=stack_name, path=path, config=config, secret_keys=secret_keys)
