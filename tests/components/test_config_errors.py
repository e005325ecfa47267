"""Bad stack config stops the program before any resource, naming the path, value and rule."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from components.config import ConfigError
from tests.conftest import BASE_STACK, fresh_monitor, plan_config, with_components


def _set(config: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """Copy of ``config`` with ``lakehouse:components.a.b`` style ``path`` set to ``value``."""
    config = copy.deepcopy(config)
    namespace_key, *rest = path.split(".")
    if not rest:
        config[namespace_key] = value
        return config
    node = config.setdefault(namespace_key, {})
    for part in rest[:-1]:
        node = node.setdefault(part, {})
    node[rest[-1]] = value
    return config


BAD_CONFIGS = [
    pytest.param(
        _set(BASE_STACK, "lakehouse:components.foundation.lifecycle.raw", {"infrequent_access_after_days": 7}),
        "lakehouse:components.foundation.lifecycle.raw.infrequent_access_after_days: must be >= 30 (got 7)",
        id="standard-ia-before-30-days",
    ),
    pytest.param(
        _set(
            BASE_STACK,
            "lakehouse:components.foundation.lifecycle.raw",
            {"infrequent_access_after_days": 30, "glacier_after_days": 45},
        ),
        "lakehouse:components.foundation.lifecycle.raw: glacier_after_days must be at least 30 days after "
        "infrequent_access_after_days (30), so >= 60 (got 45)",
        id="glacier-too-soon-after-ia",
    ),
    pytest.param(
        _set(
            BASE_STACK,
            "lakehouse:components.foundation.lifecycle.curated",
            {"glacier_after_days": 90, "expire_after_days": 60},
        ),
        "lakehouse:components.foundation.lifecycle.curated: expire_after_days must be after the last transition "
        "(90 days) (got 60)",
        id="expiry-before-transition",
    ),
    pytest.param(
        _set(BASE_STACK, "lakehouse:components.foundation.lifecyle", {}),
        "lakehouse:components.foundation.lifecyle: unknown key (check the spelling; see the config reference in README.md)",
        id="typo-is-an-error",
    ),
    pytest.param(
        _set(BASE_STACK, "lakehouse:components.foundation.vpc", {"enabled": True, "cidr": "10.0.0.0/8"}),
        "lakehouse:components.foundation.vpc.cidr: prefix length must be between /16 and /22 (got '10.0.0.0/8')",
        id="vpc-too-large",
    ),
    pytest.param(
        _set(BASE_STACK, "lakehouse:components.foundation.vpc", {"cidr": "10.300.0.0/16"}),
        "lakehouse:components.foundation.vpc.cidr: must be an IPv4 network like 10.20.0.0/16 "
        "(Octet 300 (> 255) not permitted in '10.300.0.0') (got '10.300.0.0/16')",
        id="vpc-cidr-unparseable",
    ),
    pytest.param(
        _set(BASE_STACK, "lakehouse:components.foundation.vpc", {"interface_endpoints": ["glue", "sqs-typo"]}),
        "lakehouse:components.foundation.vpc.interface_endpoints[1]: must be one of 'glue', 'kms', 'logs', 'sts', "
        "'secretsmanager', 'athena', 'states', 'kinesis-streams', 'firehose' or 'monitoring' (got 'sqs-typo')",
        id="unknown-interface-endpoint",
    ),
    pytest.param(
        _set(BASE_STACK, "lakehouse:components.foundation.vpc.flow_logs_retention_days", 45),
        "lakehouse:components.foundation.vpc.flow_logs_retention_days: must be one of CloudWatch Logs' retention periods "
        "[1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] (got 45)",
        id="log-retention-not-allowed",
    ),
    pytest.param(
        _set(BASE_STACK, "lakehouse:components.foundation.kms_deletion_window_days", 3),
        "lakehouse:components.foundation.kms_deletion_window_days: must be >= 7 (got 3)",
        id="kms-window-too-short",
    ),
    pytest.param(
        _set(BASE_STACK, "lakehouse:tags", {"owner": "team-a", "data-classification": "internal"}),
        "lakehouse:tags.cost-center: required, but not set",
        id="missing-required-tag",
    ),
    pytest.param(
        _set(BASE_STACK, "lakehouse:tags", {"owner": "team-a", "cost-center": "cc-1", "data-classification": "secret"}),
        "lakehouse:tags.data-classification: must be one of 'public', 'internal', 'confidential' or 'restricted' "
        "(got 'secret')",
        id="unknown-data-classification",
    ),
    pytest.param(
        _set(BASE_STACK, "lakehouse:environment", "Prod"),
        "lakehouse:environment: must match ^[a-z][a-z0-9-]{0,15}$ (got 'Prod')",
        id="environment-name",
    ),
    pytest.param(
        with_components(foundation={}, warehouse={}),
        "lakehouse:components.warehouse: unknown component; known: analytics, audit_trail, batch, cdc, document_store, foundation, ingestion, monitoring, streaming",
        id="unknown-component",
    ),
    pytest.param(
        with_components(fundation={}),
        "lakehouse:components.fundation: unknown component; did you mean 'foundation'? known: analytics, audit_trail, batch, cdc, document_store, foundation, ingestion, monitoring, streaming",
        id="unknown-component-suggestion",
    ),
    pytest.param(
        _set(BASE_STACK, "lakehouse:components.foundation.force_destroy", "yes please"),
        "lakehouse:components.foundation.force_destroy: input should be a valid boolean, unable to interpret input "
        "(got 'yes please')",
        id="not-a-boolean",
    ),
    pytest.param(
        _set(BASE_STACK, "lakehouse:tags", "owner=me"),
        "lakehouse:tags: must be an object (a YAML mapping)",
        id="tags-not-a-mapping",
    ),
]


@pytest.mark.parametrize("config, message", BAD_CONFIGS)
def test_bad_config_stops_before_any_resource_with_its_path(tmp_path, config, message):
    monitor = fresh_monitor()
    with pytest.raises(ConfigError) as raised:
        plan_config(tmp_path, config, monitor=monitor)
    assert message in raised.value.problems
    assert monitor.registered == []


def test_every_problem_is_reported_at_once(tmp_path):
    config = _set(
        BASE_STACK, "lakehouse:components.foundation", {"kms_deletion_window_days": 3, "force_destroy": "maybe"}
    )
    with pytest.raises(ConfigError) as raised:
        plan_config(tmp_path, config)
    assert [p.split(":")[1] for p in raised.value.problems] == [
        "components.foundation.kms_deletion_window_days",
        "components.foundation.force_destroy",
    ]
