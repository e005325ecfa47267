"""Config model of BatchProcessing: the single place where its defaults live.

Sizing is set once for every job and overridden per job by name; a job name the graph does not
know is an error listing the known ones, so a typo cannot silently fall back to the defaults.
AWS's own limits (Flex only on G.1X/G.2X workers, Glue's 48-hour timeout, EventBridge Scheduler's
expression forms) are checked here, before any resource.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from pydantic import Field, field_validator, model_validator

from etl.graph import JOBS, JobSpec

from ..config import LogRetentionDays, StrictModel

WorkerType = Literal["G.1X", "G.2X", "G.4X", "G.8X"]
FLEX_WORKER_TYPES = ("G.1X", "G.2X")  # AWS Glue runs Flex jobs on these worker types only
MAX_TIMEOUT_MINUTES = 2880  # Glue's limit for Spark jobs (48 hours)
_SCHEDULE = re.compile(r"^(cron\(\S+( \S+){5}\)|rate\(\d+ (minute|minutes|hour|hours|day|days)\)|at\(\S+\))$")
_EMR_RELEASE = re.compile(r"^emr-\d+\.\d+\.\d+$")
_EMR_CAPACITY = re.compile(r"^\d+ (vCPU|GB)$")


@dataclass(frozen=True)
class JobSettings:
    """The resolved sizing of one job: the defaults with its override applied."""

    worker_type: str
    max_workers: int
    flex: bool
    timeout_minutes: int


class JobOverride(StrictModel):
    """Per-job sizing; an unset field keeps the component-wide value."""

    worker_type: WorkerType | None = Field(default=None, description="Glue worker type of this job.")
    max_workers: int | None = Field(
        default=None, ge=2, le=299, description="Upper bound of this job's workers (auto scaling starts lower)."
    )
    flex: bool | None = Field(default=None, description="Run this job with Glue's Flex execution class.")
    timeout_minutes: int | None = Field(
        default=None, ge=1, le=MAX_TIMEOUT_MINUTES, description="Minutes before Glue stops this job's run."
    )


class EmrServerlessConfig(StrictModel):
    """Optional EMR Serverless application for the graph's heavy jobs, in the foundation's private subnets."""

    enabled: bool = Field(
        default=False, description="Create the application and run JobSpec.heavy jobs on it instead of Glue."
    )
    release_label: str = Field(
        default="emr-7.12.0", description="EMR release; emr-7.12.0 carries Spark 3.5.6 and Iceberg 1.10 (= Glue 5.1)."
    )
    architecture: Literal["X86_64", "ARM64"] = Field(
        default="X86_64", description="CPU architecture of the workers (the Python environment must match)."
    )
    python_environment_key: str | None = Field(
        default=None,
        description="Artifacts-bucket key of a venv-pack archive with Python 3.11 and PyYAML (built on Amazon "
        "Linux 2023 for the architecture): EMR's own Python is not the 3.11 the jobs need. Required when enabled.",
    )
    max_cpu: str = Field(default="16 vCPU", description="Maximum vCPUs the application may hold at once.")
    max_memory: str = Field(default="64 GB", description="Maximum memory the application may hold at once.")
    idle_timeout_minutes: int = Field(
        default=15, ge=1, le=10080, description="Idle minutes before the application stops (and stops billing)."
    )

    @field_validator("release_label")
    @classmethod
    def _release_label(cls, value: str) -> str:
        if not _EMR_RELEASE.match(value):
            raise ValueError("must be an EMR release label like emr-7.12.0")
        return value

    @field_validator("max_cpu", "max_memory")
    @classmethod
    def _capacity(cls, value: str) -> str:
        if not _EMR_CAPACITY.match(value):
            raise ValueError("must be a number and a unit, like '16 vCPU' or '64 GB'")
        return value

    @model_validator(mode="after")
    def _environment_when_enabled(self) -> EmrServerlessConfig:
        if self.enabled and not self.python_environment_key:
            raise ValueError(
                "python_environment_key is required when enabled: the artifacts-bucket key of a Python 3.11 "
                "environment archive (venv-pack) for the jobs"
            )
        return self


class BatchConfig(StrictModel):
    """BatchProcessing: the job graph as Glue 5.1 jobs, a Step Functions state machine, a schedule, EMR Serverless."""

    worker_type: WorkerType = Field(default="G.1X", description="Glue worker type of every job (4 vCPU, 16 GB).")
    max_workers: int = Field(
        default=10, ge=2, le=299, description="Upper bound of each job's workers; auto scaling starts lower."
    )
    flex: bool = Field(
        default=False, description="Run jobs with Glue's Flex execution class (cheaper, may start later)."
    )
    timeout_minutes: int = Field(
        default=120, ge=1, le=MAX_TIMEOUT_MINUTES, description="Minutes before Glue stops a job's run."
    )
    jobs: dict[str, JobOverride] = Field(
        default_factory=dict, description="Per-job overrides of the sizing above, keyed by graph job name."
    )
    schedule_expression: str | None = Field(
        default=None,
        description="EventBridge Scheduler expression that starts the state machine, e.g. 'cron(0 2 * * ? *)'; "
        "unset = no schedule.",
    )
    schedule_timezone: str = Field(default="UTC", description="IANA time zone the schedule expression is read in.")
    python_modules: list[str] = Field(
        default=["PyYAML==6.0.2"],
        description="Modules Glue installs before a run (--additional-python-modules); Glue 5.1 lacks PyYAML.",
    )
    log_retention_days: LogRetentionDays = Field(default=90, description="Retention of the state machine's logs.")
    emr_serverless: EmrServerlessConfig = Field(
        default_factory=EmrServerlessConfig, description="Optional EMR Serverless application for heavy jobs."
    )

    @field_validator("jobs")
    @classmethod
    def _known_jobs(cls, jobs: dict[str, JobOverride]) -> dict[str, JobOverride]:
        check_job_names(jobs, JOBS)
        return jobs

    @field_validator("schedule_expression")
    @classmethod
    def _schedule(cls, value: str | None) -> str | None:
        if value is not None and not _SCHEDULE.match(value):
            raise ValueError("must be cron(min hour day month weekday year), rate(N unit) or at(yyyy-mm-ddThh:mm:ss)")
        return value

    @model_validator(mode="after")
    def _flex_workers(self) -> BatchConfig:
        scopes = [("flex", self.job_settings(None)), *((f"jobs.{name}", self.job_settings(name)) for name in self.jobs)]
        for where, settings in scopes:
            if settings.flex and settings.worker_type not in FLEX_WORKER_TYPES:
                raise ValueError(
                    f"{where}: Flex runs only on {' or '.join(FLEX_WORKER_TYPES)} workers (got {settings.worker_type})"
                )
        return self

    def job_settings(self, name: str | None) -> JobSettings:
        """The sizing of job ``name``: its override where set, else the component-wide value
        (``None``: the component-wide values alone)."""
        override = self.jobs.get(name, JobOverride()) if name else JobOverride()
        return JobSettings(
            worker_type=override.worker_type or self.worker_type,
            max_workers=override.max_workers or self.max_workers,
            flex=self.flex if override.flex is None else override.flex,
            timeout_minutes=override.timeout_minutes or self.timeout_minutes,
        )


def check_job_names(names: Mapping[str, object], graph: Mapping[str, JobSpec]) -> None:
    """Every overridden job must be in the graph; the error lists the known jobs."""
    unknown = sorted(set(names) - set(graph))
    if unknown:
        raise ValueError(f"unknown jobs {', '.join(unknown)}; known: {', '.join(graph)}")
