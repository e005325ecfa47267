"""The API's routes, read from the handler's OpenAPI document: one source of truth for what is served.

The document (``functions/ingestion/openapi.yaml``) describes the contract for clients and carries no
AWS extensions; the component turns each of its operations into an explicit API Gateway route (see
``component.py`` for why routes are resources rather than an imported body).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..lambda_function import FUNCTIONS_ROOT

OPENAPI_DOCUMENT = FUNCTIONS_ROOT / "ingestion" / "openapi.yaml"
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch")
_PATH_PARAMETER = re.compile(r"\{[^}/]+\}")


@dataclass(frozen=True)
class Route:
    """One operation of the document: ``POST /events``."""

    method: str
    path: str

    @property
    def key(self) -> str:
        """The API Gateway route key."""
        return f"{self.method} {self.path}"

    @property
    def slug(self) -> str:
        """A stable fragment for child resource names: ``post-events``."""
        words = re.findall(r"[a-z0-9]+", f"{self.method} {_PATH_PARAMETER.sub('by', self.path)}".lower())
        return "-".join(words)

    def source_arn(self, execution_arn: str) -> str:
        """The invocation ARN API Gateway presents to Lambda for this route, on any stage.

        Path parameters become ``*``: the ARN carries the concrete path of each request.
        """
        return f"{execution_arn}/*/{self.method}{_PATH_PARAMETER.sub('*', self.path)}"


def routes_of(document: Any) -> list[Route]:
    """Every operation of an OpenAPI 3 document, in document order."""
    if not isinstance(document, dict) or not str(document.get("openapi", "")).startswith("3."):
        raise ValueError("the ingestion API document must be OpenAPI 3 (an 'openapi: 3.x' mapping)")
    routes = [
        Route(method.upper(), path)
        for path, operations in (document.get("paths") or {}).items()
        for method in (operations or {})
        if method in _METHODS
    ]
    if not routes:
        raise ValueError("the ingestion API document defines no operation under 'paths'")
    return routes


def load_routes(path: Path = OPENAPI_DOCUMENT) -> list[Route]:
    """The routes of the handler's OpenAPI document."""
    return routes_of(yaml.safe_load(path.read_text()))
