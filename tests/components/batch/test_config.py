"""BatchProcessing's config: defaults, overrides, and bad values stopped with their path."""

from __future__ import annotations

import functools

import pytest

from components.batch import BatchConfig, JobOverride
from components.config import ConfigError
from tests.components.conftest import config_problems
from tests.conftest import fresh_monitor, plan_config, with_components

ROOT = "lakehouse:components.batch"
problems = functools.partial(config_problems, "batch")


def test_defaults_are_standard_g1x_workers_two_hours_no_schedule_no_emr():
    config = BatchConfig()
    settings = config.job_settings("bronze_to_silver")
    assert (settings.worker_type, settings.max_workers, settings.flex, settings.timeout_minutes) == (
        "G.1X",
        10,
        False,
        120,
    )
    assert config.schedule_expression is None
    assert config.emr_serverless.enabled is False
    assert config.emr_serverless.release_label == "emr-7.12.0"
    assert config.python_modules == ["PyYAML==6.0.2"]


def test_a_job_override_replaces_only_the_fields_it_sets():
    config = BatchConfig(flex=True, jobs={"maintenance": JobOverride(flex=False, timeout_minutes=30)})
    maintenance = config.job_settings("maintenance")
    assert (maintenance.worker_type, maintenance.max_workers, maintenance.flex, maintenance.timeout_minutes) == (
        "G.1X",
        10,
        False,
        30,
    )
    assert config.job_settings("silver_to_gold").flex is True


def test_an_override_of_a_job_the_graph_lacks_lists_the_known_jobs():
    assert problems({"jobs": {"bronze_to_sliver": {"max_workers": 4}}}) == [
        f"{ROOT}.jobs: unknown jobs bronze_to_sliver; known: bronze_to_silver, silver_to_gold, raw_to_processed, documents_analytics, maintenance"
    ]


def test_flex_needs_g1x_or_g2x_workers():
    assert problems({"flex": True, "worker_type": "G.4X"}) == [
        f"{ROOT}: flex: Flex runs only on G.1X or G.2X workers (got G.4X)"
    ]


def test_a_job_overriding_into_flex_on_large_workers_is_named():
    assert problems({"jobs": {"silver_to_gold": {"flex": True, "worker_type": "G.8X"}}}) == [
        f"{ROOT}: jobs.silver_to_gold: Flex runs only on G.1X or G.2X workers (got G.8X)"
    ]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("worker_type", "G.3X", "must be one of 'G.1X', 'G.2X', 'G.4X' or 'G.8X' (got 'G.3X')"),
        ("max_workers", 1, "must be >= 2 (got 1)"),
        ("timeout_minutes", 3000, "must be <= 2880 (got 3000)"),
        ("log_retention_days", 45, "must be one of CloudWatch Logs' retention periods"),
        (
            "schedule_expression",
            "daily at 2",
            "must be cron(min hour day month weekday year), rate(N unit) or at(yyyy-mm-ddThh:mm:ss) (got 'daily at 2')",
        ),
    ],
)
def test_bad_values_name_their_path_and_what_is_allowed(field, value, message):
    (problem,) = problems({field: value})
    assert problem.startswith(f"{ROOT}.{field}: {message}")


@pytest.mark.parametrize("expression", ["cron(0 2 * * ? *)", "rate(1 day)", "rate(6 hours)", "at(2030-01-01T02:00:00)"])
def test_scheduler_expression_forms_are_accepted(expression):
    assert BatchConfig(schedule_expression=expression).schedule_expression == expression


def test_emr_needs_a_python_environment_when_enabled():
    assert problems({"emr_serverless": {"enabled": True}}) == [
        f"{ROOT}.emr_serverless: python_environment_key is required when enabled: the artifacts-bucket key of a "
        "Python 3.11 environment archive (venv-pack) for the jobs"
    ]


def test_emr_release_labels_and_capacities_are_checked():
    assert problems({"emr_serverless": {"release_label": "7.12", "max_cpu": "lots"}}) == [
        f"{ROOT}.emr_serverless.release_label: must be an EMR release label like emr-7.12.0 (got '7.12')",
        f"{ROOT}.emr_serverless.max_cpu: must be a number and a unit, like '16 vCPU' or '64 GB' (got 'lots')",
    ]


def test_emr_without_the_foundations_vpc_stops_before_any_resource(tmp_path):
    monitor = fresh_monitor()
    block = {"emr_serverless": {"enabled": True, "python_environment_key": "environments/py311.tar.gz"}}
    with pytest.raises(ConfigError) as raised:
        plan_config(tmp_path, with_components(foundation={}, batch=block), monitor=monitor)
    assert raised.value.problems == [
        f"{ROOT}.emr_serverless.enabled: EMR Serverless runs in the foundation's private subnets, but the stack has "
        "no VPC; set lakehouse:components.foundation.vpc.enabled: true (or disable EMR Serverless)"
    ]
    assert [r for r in monitor.registered if "BatchProcessing" in r.urn] == []  # not even the component
