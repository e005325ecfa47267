"""What DMS replicates and how: identifiers, table mappings and task settings, as plain data.

The tables come from the source contract (``etl.contract.tables()``), the one list the generator,
the bronze parser and the silver tables also read: a table added to the contract is replicated,
and nothing else of the source database is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .layout import SCHEMA

# DMS identifiers: a letter first, then letters, digits and single hyphens, no trailing hyphen.
_IDENTIFIER = re.compile(r"^[A-Za-z](?!.*--)[A-Za-z0-9-]{0,62}(?<!-)$")
LOG_COMPONENTS = ("SOURCE_UNLOAD", "SOURCE_CAPTURE", "TARGET_LOAD", "TARGET_APPLY", "TASK_MANAGER")
# jsonb columns (tenant settings, event properties) are LOBs to DMS. Limited LOB mode copies up to
# this many KiB per value; the source endpoint fails the task rather than truncate a longer one.
LOB_MAX_SIZE_KB = 64


@dataclass(frozen=True)
class DmsNames:
    """Physical names of the replication's DMS resources, from the stack's name prefix."""

    prefix: str

    @property
    def replication(self) -> str:
        """The replication instance, its subnet group and the task (or the serverless replication)."""
        return f"{self.prefix}-cdc"

    @property
    def source_endpoint(self) -> str:
        return f"{self.prefix}-cdc-source"

    @property
    def target_endpoint(self) -> str:
        return f"{self.prefix}-cdc-bronze"

    def log_group(self, compute: str) -> str:
        """The log group DMS writes the task's logs to (it creates it unless it exists, unencrypted)."""
        if compute == "instance":
            return f"dms-tasks-{self.replication}"
        return f"dms-serverless-replication-{self.replication}"

    def invalid(self) -> list[str]:
        """The identifiers DMS would refuse (a prefix with a double or trailing hyphen makes them)."""
        names = (self.replication, self.source_endpoint, self.target_endpoint)
        return [name for name in names if not _IDENTIFIER.match(name)]


def table_mappings(source_tables: Iterable[str]) -> dict[str, Any]:
    """One selection rule per contract table of the public schema: exactly those, nothing else."""
    return {
        "rules": [
            {
                "rule-type": "selection",
                "rule-id": str(index),
                "rule-name": f"include-{table}",
                "object-locator": {"schema-name": SCHEMA, "table-name": table},
                "rule-action": "include",
            }
            for index, table in enumerate(source_tables, start=1)
        ]
    }


def task_settings() -> dict[str, Any]:
    """Task settings: logging on, bronze kept on a restarted full load, LOBs bounded and never cut.

    TargetTablePrepMode DO_NOTHING: bronze is the history silver is rebuilt from; DMS's default
    (DROP_AND_CREATE) would delete a table's files when a full load restarts.
    """
    return {
        "TargetMetadata": {
            "SupportLobs": True,
            "FullLobMode": False,
            "LimitedSizeLobMode": True,
            "LobMaxSize": LOB_MAX_SIZE_KB,
        },
        "FullLoadSettings": {"TargetTablePrepMode": "DO_NOTHING"},
        "Logging": {
            "EnableLogging": True,
            "LogComponents": [{"Id": component, "Severity": "LOGGER_SEVERITY_DEFAULT"} for component in LOG_COMPONENTS],
        },
    }
