"""BatchProcessing: the job graph of ``etl/graph.py`` deployed on AWS Glue 5.1 and Step Functions.

The code is built from this repository at deploy time and uploaded under a content-hash key; one
Glue job per graph job, each with a role limited to the zones, prefixes and layers its graph entry
names; a state machine that runs the jobs in dependency order, retries transient errors and
publishes failures to an encrypted topic; an optional schedule; and optionally an EMR Serverless
application in the private subnets for the heavy jobs. Everything is built from the graph, never
from job names, so a job added to the graph is deployed by adding it there.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
from pulumi_aws import cloudwatch, emrserverless, glue, s3, scheduler, sfn, sns, sqs
from pulumi_aws import iam as aws_iam

from etl.graph import JOBS, JobSpec, all_in_order

from .. import iam
from ..alarms import Alarm
from ..config import ConfigError, config_path
from ..factory import standard_factory
from ..foundation import DataLakeFoundation
from ..foundation.component import ZONES
from ..logs import encrypted_log_group
from ..queues import dead_letter_queue
from ..registry import Registration, exported
from ..roles import role_with_policy
from ..tagging import with_name
from . import artifacts, emr, permissions
from . import jobs as glue_jobs
from .config import BatchConfig, check_job_names
from .state_machine import EmrRun, GlueRun, Run, definition, timeout_seconds

KEY = "batch"
SCHEDULE_GROUP = "default"
DURATION_ALARM_SHARE = 0.8  # warn when a run has used this share of its timeout


@dataclass(frozen=True)
class BatchOutputs:
    """What the stack exports: names and ARNs operators and CI scripts need."""

    job_names: dict[str, str]  # graph job -> Glue job name
    state_machine_arn: pulumi.Output[str]
    failure_topic_arn: pulumi.Output[str]
    artifacts_prefix: pulumi.Output[str]
    schedule_name: str | None = None
    emr_application_id: pulumi.Output[str] | None = None


@dataclass(frozen=True)
class _Names:
    """Every foundation name the builders need, resolved together."""

    account: permissions.Account
    lake: glue_jobs.Lake
    key_arn: str
    artifacts_bucket: str

    @property
    def scope(self) -> permissions.Scope:
        return permissions.Scope(self.account, self.lake, self.key_arn)

    def uri(self, key: str) -> str:
        return f"s3://{self.artifacts_bucket}/{key}"

    def object_arn(self, key: str) -> str:
        return f"arn:{self.account.partition}:s3:::{self.artifacts_bucket}/{key}"


class BatchProcessing(pulumi.ComponentResource):
    """Glue jobs, their roles and alarms, the state machine, its topic and logs, a schedule, EMR."""

    code: dict[str, s3.BucketObjectv2]
    job_roles: dict[str, aws_iam.Role]
    jobs: dict[str, glue.Job]
    failure_topic: sns.Topic
    state_machine_role: aws_iam.Role
    state_machine_logs: cloudwatch.LogGroup
    state_machine: sfn.StateMachine
    schedule: scheduler.Schedule | None
    dead_letter_queue: sqs.Queue | None
    emr_application: emrserverless.Application | None
    emr_roles: dict[str, aws_iam.Role]

    def __init__(
        self,
        name: str,
        config: BatchConfig | None = None,
        *,
        foundation: DataLakeFoundation,
        tags: Mapping[str, str] | None = None,
        name_prefix: str | None = None,
        graph: Mapping[str, JobSpec] | None = None,
        etl_root: Path = artifacts.ETL_ROOT,
        opts: pulumi.ResourceOptions | None = None,
    ):
        config = config or BatchConfig()
        graph = JOBS if graph is None else graph
        ordered = all_in_order(graph)
        _validate(config, graph, ordered, foundation, etl_root)
        super().__init__("lakehouse:index:BatchProcessing", name, None, opts)
        tags = dict(tags or {})
        prefix = name_prefix or name
        self._config, self._prefix, self._tags = config, prefix, tags
        self._foundation = foundation
        self._child = pulumi.ResourceOptions(parent=self)
        on_emr = [job for job in ordered if config.emr_serverless.enabled and job.heavy]
        on_glue = [job for job in ordered if job not in on_emr]

        built = artifacts.build(etl_root, [job.script for job in ordered])
        self._layout = built.layout
        names = self._names(foundation, config)
        self.code = {
            key: s3.BucketObjectv2(
                f"{name}-code-{Path(key).name}",
                bucket=foundation.buckets.artifacts.id,
                key=key,
                source=pulumi.FileAsset(str(path)),
                server_side_encryption="aws:kms",
                kms_key_id=foundation.key.arn,
                bucket_key_enabled=True,
                tags=with_name(tags, f"{prefix}-{Path(key).name}"),
                opts=self._child,
            )
            for key, path in built.files.items()
        }

        # Where the jobs publish their freshness and quarantine figures (EMF; etl/metrics.py).
        self._metrics_arguments = {"--metrics-log-group": pipeline_metrics_log_group(prefix), "--stack-name": prefix}
        self.metrics_log_group = encrypted_log_group(
            f"{name}-pipeline-metrics",
            name=pipeline_metrics_log_group(prefix),
            key_arn=foundation.key.arn,
            retention_days=config.log_retention_days,
            tags=with_name(tags, f"{prefix}-pipeline-metrics"),
            opts=self._child,
        )
        self.job_roles, self.jobs = {}, {}
        self._job_names: dict[str, str] = {}
        self._alarms: list[Alarm] = []
        for job in ordered:
            self._glue_job(name, job, names, monitored=job in on_glue)

        self.emr_application, self.emr_roles = None, {}
        if on_emr:
            self._emr(name, on_emr, names)

        self.failure_topic = sns.Topic(
            f"{name}-failures",
            name=f"{prefix}-batch-failures",
            kms_master_key_id=foundation.key.arn,
            tags=with_name(tags, f"{prefix}-batch-failures"),
            opts=self._child,
        )
        self._state_machine(name, ordered, on_glue, on_emr, names)
        self.schedule, self.dead_letter_queue = None, None
        if config.schedule_expression:
            self._schedule(name, names)
        self.register_outputs(exported(self.stack_outputs()))

    # --- names ---------------------------------------------------------------------------------

    @staticmethod
    def _names(foundation: DataLakeFoundation, config: BatchConfig) -> pulumi.Output[_Names]:
        return pulumi.Output.all(
            partition=foundation.partition,
            region=foundation.region,
            account_id=foundation.account_id,
            key_arn=foundation.key.arn,
            artifacts_bucket=foundation.buckets.artifacts.bucket,
            **{zone: getattr(foundation.buckets, zone).bucket for zone in ZONES},
            **{layer: getattr(foundation.databases, layer).name for layer in ZONES.values()},
        ).apply(
            lambda v: _Names(
                account=permissions.Account(v["partition"], v["region"], v["account_id"]),
                lake=glue_jobs.Lake(
                    buckets={zone: v[zone] for zone in ZONES},
                    databases={layer: v[layer] for layer in ZONES.values()},
                ),
                key_arn=v["key_arn"],
                artifacts_bucket=v["artifacts_bucket"],
            )
        )

    def _role(
        self, name: str, label: str, service: str, statements: pulumi.Output[list[iam.Statement]], what: str
    ) -> tuple[aws_iam.Role, aws_iam.RolePolicy]:
        """A role only ``service`` of this account may assume, with one inline policy; ``label``
        names it (after the stack prefix) in its Name tag."""
        return role_with_policy(
            f"{name}-role",
            policy_resource_name=f"{name}-policy",
            description=what,
            assume_role_policy=iam.assume_role_policy(service, self._foundation.account_id),
            policy=statements.apply(_document),  # apply flattens the Output _document returns
            tags=with_name(self._tags, f"{self._prefix}-{label}"),
            opts=self._child,
        )

    # --- Glue -------------------------------------------------------------------------------------

    def _glue_job(self, name: str, job: JobSpec, names: pulumi.Output[_Names], monitored: bool) -> None:
        settings = self._config.job_settings(job.name)
        physical = glue_jobs.physical_name(self._prefix, job)
        layout = self._layout
        code = [layout.package_key, layout.script_keys[job.script]]
        role, policy = self._role(
            f"{name}-{job.name}",
            f"{glue_jobs.slug(job)}-glue",
            "glue.amazonaws.com",
            names.apply(
                lambda n: permissions.glue_job_statements(
                    job, n.scope, [n.object_arn(k) for k in code], pipeline_metrics_log_group(self._prefix)
                )
            ),
            f"Runs the {job.name} Glue job: {job.description}",
        )
        arguments = names.apply(
            lambda n: glue_jobs.default_arguments(
                job,
                glue_jobs.run_values(job, n.lake),
                n.uri(layout.package_key),
                self._config.python_modules,
                metrics=self._metrics_arguments,
            )
        )
        self.job_roles[job.name], self._job_names[job.name] = role, physical
        self.jobs[job.name] = glue.Job(
            f"{name}-{job.name}",
            name=physical,
            description=job.description,
            role_arn=role.arn,
            glue_version=glue_jobs.GLUE_VERSION,
            command={
                "name": "glueetl",
                "python_version": "3",
                "script_location": names.apply(lambda n: n.uri(layout.script_keys[job.script])),
            },
            default_arguments=arguments,
            worker_type=settings.worker_type,
            number_of_workers=settings.max_workers,  # with auto scaling: the upper bound
            execution_class="FLEX" if settings.flex else "STANDARD",
            timeout=settings.timeout_minutes,
            max_retries=0,  # the state machine retries what is worth retrying
            execution_property={"max_concurrent_runs": 1},  # two runs of a MERGE job would conflict
            security_configuration=self._foundation.security_configuration.name,
            tags=with_name(self._tags, physical),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[policy, *self.code.values()]),
        )
        if monitored:
            self._glue_alarms(name, job, physical, settings.timeout_minutes)

    def _glue_alarms(self, name: str, job: JobSpec, physical: str, timeout_minutes: int) -> None:
        """A failed or timed-out run (an EventBridge rule whose matches CloudWatch counts) and a run
        close to its timeout (Glue's elapsed-time metric)."""
        rule = cloudwatch.EventRule(
            f"{name}-{job.name}-failed",
            name=f"{physical}-failed",
            description=f"Runs of the {physical} Glue job that failed or timed out (counted for its alarm)",
            event_pattern=json.dumps(
                {
                    "source": ["aws.glue"],
                    "detail-type": ["Glue Job State Change"],
                    "detail": {"jobName": [physical], "state": ["FAILED", "TIMEOUT"]},
                }
            ),
            tags=with_name(self._tags, f"{physical}-failed"),
            opts=self._child,
        )
        self._alarms += [
            Alarm(
                name=f"{job.name}-failed",
                metric="TriggeredRules",
                namespace="AWS/Events",
                dimensions={"RuleName": rule.name},
                threshold=1,
                runbook=f"Glue job {physical} failed: read the run's error in the Glue console and its logs "
                "under /aws-glue/jobs, fix, then start the state machine again (the jobs are idempotent).",
            ),
            Alarm(
                name=f"{job.name}-duration",
                metric="glue.driver.aggregate.elapsedTime",
                namespace="Glue",
                dimensions={"JobName": physical, "JobRunId": "ALL", "Type": "count"},
                threshold=timeout_minutes * 60_000 * DURATION_ALARM_SHARE,
                statistic="Maximum",
                unit="Milliseconds",
                runbook=f"Glue job {physical} ran past {DURATION_ALARM_SHARE:.0%} of its {timeout_minutes}-minute "
                f"timeout: check its input volume and raise lakehouse:components.batch.jobs.{job.name}.max_workers "
                "or timeout_minutes.",
            ),
        ]

    # --- EMR Serverless ---------------------------------------------------------------------------

    def _emr(self, name: str, heavy: Sequence[JobSpec], names: pulumi.Output[_Names]) -> None:
        emr_config, network, key = self._config.emr_serverless, self._foundation.network, self._foundation.key
        assert network is not None  # checked by _validate before any resource
        logs = encrypted_log_group(
            f"{name}-emr-logs",
            name=f"/aws/emr-serverless/{self._prefix}-batch",
            key_arn=key.arn,
            retention_days=self._config.log_retention_days,
            tags=with_name(self._tags, f"{self._prefix}-batch-emr"),
            opts=self._child,
        )
        self.emr_application = emrserverless.Application(
            f"{name}-emr",
            name=f"{self._prefix}-batch",
            release_label=emr_config.release_label,
            type="spark",
            architecture=emr_config.architecture,
            maximum_capacity={"cpu": emr_config.max_cpu, "memory": emr_config.max_memory},
            auto_start_configuration={"enabled": True},
            auto_stop_configuration={"enabled": True, "idle_timeout_minutes": emr_config.idle_timeout_minutes},
            network_configuration={
                "subnet_ids": network.private_subnet_ids,
                "security_group_ids": [network.compute_security_group.id],
            },
            monitoring_configuration={
                "cloudwatch_logging_configuration": {
                    "enabled": True,
                    "log_group_name": logs.name,
                    "encryption_key_arn": key.arn,
                },
                "managed_persistence_monitoring_configuration": {"enabled": True, "encryption_key_arn": key.arn},
            },
            tags=with_name(self._tags, f"{self._prefix}-batch"),
            opts=self._child,
        )
        layout = self._layout
        code = [layout.package_key, layout.emr_entry_key, emr_config.python_environment_key]
        for job in heavy:

            def statements(args: list[Any], job: JobSpec = job) -> list[iam.Statement]:
                resolved, log_group = args
                return permissions.emr_job_statements(
                    job,
                    resolved.scope,
                    [resolved.object_arn(k) for k in code],
                    log_group,
                    pipeline_metrics_log_group(self._prefix),
                )

            self.emr_roles[job.name], _ = self._role(
                f"{name}-{job.name}-emr",
                f"{glue_jobs.slug(job)}-emr",
                "emr-serverless.amazonaws.com",
                pulumi.Output.all(names, logs.arn).apply(statements),
                f"Runs the {job.name} job on EMR Serverless: {job.description}",
            )

    # --- Step Functions ---------------------------------------------------------------------------

    def _state_machine(
        self,
        name: str,
        ordered: Sequence[JobSpec],
        on_glue: Sequence[JobSpec],
        on_emr: Sequence[JobSpec],
        names: pulumi.Output[_Names],
    ) -> None:
        config, key = self._config, self._foundation.key
        machine = f"{self._prefix}-batch"
        self.state_machine_logs = encrypted_log_group(
            f"{name}-state-machine-logs",
            name=f"/aws/vendedlogs/states/{machine}",  # the prefix AWS recommends for vended logs
            key_arn=key.arn,
            retention_days=config.log_retention_days,
            tags=with_name(self._tags, f"{machine}-logs"),
            opts=self._child,
        )
        glue_names = [glue_jobs.physical_name(self._prefix, job) for job in on_glue]
        emr_roles = [self.emr_roles[job.name].arn for job in on_emr]
        application = [self.emr_application.arn] if self.emr_application else []
        self.state_machine_role, policy = self._role(
            f"{name}-state-machine",
            "batch-state-machine",
            "states.amazonaws.com",
            pulumi.Output.all(names, self.failure_topic.arn, application, emr_roles).apply(
                lambda args: permissions.state_machine_statements(
                    args[0].account,
                    args[0].account.arn("states", f"stateMachine:{machine}"),
                    glue_names,
                    args[1],
                    args[0].key_arn,
                    permissions.EmrRunner(args[2][0], args[3]) if args[2] else None,
                )
            ),
            "Runs the batch job graph: starts its jobs, publishes failures",
        )
        timeouts = {job.name: config.job_settings(job.name).timeout_minutes for job in ordered}
        application_id = [self.emr_application.id] if self.emr_application else []
        document = pulumi.Output.all(names, self.failure_topic.arn, application_id, emr_roles).apply(
            lambda args: json.dumps(
                definition(
                    ordered,
                    self._runs(ordered, on_emr, args[0], args[2][0] if args[2] else "", args[3]),
                    args[1],
                    f"{self._prefix} batch",
                    timeout_seconds(ordered, timeouts),
                ),
                indent=2,
            )
        )
        self.state_machine = sfn.StateMachine(
            f"{name}-state-machine",
            name=machine,
            type="STANDARD",
            role_arn=self.state_machine_role.arn,
            definition=document,
            logging_configuration={
                "level": "ALL",
                # Job arguments and run ids, not lake data: worth having when a run fails; the
                # log group is encrypted with the stack key.
                "include_execution_data": True,
                "log_destination": pulumi.Output.concat(self.state_machine_logs.arn, ":*"),
            },
            tracing_configuration={"enabled": True},
            encryption_configuration={
                "type": "CUSTOMER_MANAGED_KMS_KEY",
                "kms_key_id": key.arn,
                "kms_data_key_reuse_period_seconds": 300,
            },
            tags=with_name(self._tags, machine),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[policy]),
        )
        self._alarms += [
            Alarm(
                name="executions-failed",
                metric="ExecutionsFailed",
                namespace="AWS/States",
                dimensions={"StateMachineArn": self.state_machine.arn},
                threshold=1,
                runbook=f"A run of {machine} failed: the failure topic says which step and why; rerun the state "
                "machine after fixing it.",
            ),
            Alarm(
                name="executions-timed-out",
                metric="ExecutionsTimedOut",
                namespace="AWS/States",
                dimensions={"StateMachineArn": self.state_machine.arn},
                threshold=1,
                runbook=f"A run of {machine} exceeded its time limit (the sum of its jobs' timeouts plus an hour): "
                "look for a job stuck waiting for capacity (Flex) or for its input.",
            ),
        ]

    def _runs(
        self,
        ordered: Sequence[JobSpec],
        on_emr: Sequence[JobSpec],
        names: _Names,
        application_id: str,
        emr_role_arns: Sequence[str],
    ) -> dict[str, Run]:
        """How each job runs: its Glue job, or (heavy, EMR enabled) a run on the EMR application."""
        runs: dict[str, Run] = {job.name: GlueRun(glue_jobs.physical_name(self._prefix, job)) for job in ordered}
        environment = self._config.emr_serverless.python_environment_key or ""
        for job, role_arn in zip(on_emr, emr_role_arns, strict=True):
            runs[job.name] = EmrRun(
                application_id=application_id,
                execution_role_arn=role_arn,
                entry_point=names.uri(self._layout.emr_entry_key),
                arguments=glue_jobs.argv(
                    {**glue_jobs.job_arguments(job, glue_jobs.run_values(job, names.lake)), **self._metrics_arguments}
                ),
                spark_submit_parameters=emr.spark_submit_parameters(
                    names.uri(self._layout.package_key), names.uri(environment)
                ),
                timeout_minutes=self._config.job_settings(job.name).timeout_minutes,
            )
        return runs

    # --- schedule ---------------------------------------------------------------------------------

    def _schedule(self, name: str, names: pulumi.Output[_Names]) -> None:
        config, key = self._config, self._foundation.key
        schedule = f"{self._prefix}-batch"
        self.dead_letter_queue = dead_letter_queue(
            f"{name}-schedule-dlq",
            key_arn=key.arn,
            tags=with_name(self._tags, f"{schedule}-schedule-dlq"),
            opts=self._child,
        )
        role, policy = self._role(
            f"{name}-schedule",
            "batch-schedule",
            "scheduler.amazonaws.com",
            pulumi.Output.all(names, self.state_machine.arn, self.dead_letter_queue.arn).apply(
                lambda args: permissions.schedule_statements(
                    args[0].account,
                    args[1],
                    args[0].account.arn("scheduler", f"schedule/{SCHEDULE_GROUP}/{schedule}"),
                    args[2],
                    args[0].key_arn,
                )
            ),
            "Starts the batch state machine on its schedule",
        )
        self.schedule = scheduler.Schedule(
            f"{name}-schedule",
            name=schedule,
            group_name=SCHEDULE_GROUP,
            description="Starts the batch job graph",
            schedule_expression=config.schedule_expression,
            schedule_expression_timezone=config.schedule_timezone,
            flexible_time_window={"mode": "OFF"},
            kms_key_arn=key.arn,
            state="ENABLED",
            target={
                "arn": self.state_machine.arn,
                "role_arn": role.arn,
                "input": json.dumps({"trigger": "schedule"}),
                "retry_policy": {"maximum_retry_attempts": 3, "maximum_event_age_in_seconds": 3600},
                "dead_letter_config": {"arn": self.dead_letter_queue.arn},
            },
            opts=pulumi.ResourceOptions(parent=self, depends_on=[policy]),
        )

    # --- interface --------------------------------------------------------------------------------

    def stack_outputs(self) -> BatchOutputs:
        return BatchOutputs(
            job_names=dict(self._job_names),
            state_machine_arn=self.state_machine.arn,
            failure_topic_arn=self.failure_topic.arn,
            artifacts_prefix=pulumi.Output.concat(
                "s3://", self._foundation.buckets.artifacts.bucket, "/", self._layout.prefix
            ),
            schedule_name=f"{self._prefix}-batch" if self.schedule else None,
            emr_application_id=self.emr_application.id if self.emr_application else None,
        )

    def alarms(self) -> list[Alarm]:
        """Per Glue job: failed or timed-out runs and runs near their timeout; per state machine:
        failed and timed-out executions."""
        return list(self._alarms)


def _document(statements: list[iam.Statement]) -> pulumi.Output[str]:
    return iam.document(*statements)


def _validate(
    config: BatchConfig,
    graph: Mapping[str, JobSpec],
    ordered: Sequence[JobSpec],
    foundation: DataLakeFoundation,
    etl_root: Path,
) -> None:
    """Everything that can be wrong before the first resource: overrides of jobs the graph lacks,
    EMR without the VPC it runs in, graph jobs without an entry script."""
    problems: list[str] = []
    try:
        check_job_names(config.jobs, graph)
    except ValueError as error:
        problems.append(f"{config_path('components', KEY, 'jobs')}: {error}")
    if config.emr_serverless.enabled and foundation.network is None:
        problems.append(
            f"{config_path('components', KEY, 'emr_serverless', 'enabled')}: EMR Serverless runs in the "
            f"foundation's private subnets, but the stack has no VPC; set "
            f"{config_path('components', 'foundation', 'vpc', 'enabled')}: true (or disable EMR Serverless)"
        )
    if problems:
        raise ConfigError(problems)
    missing = artifacts.missing_scripts(etl_root, [job.script for job in ordered])
    if missing:
        raise ValueError(
            f"the job graph names Glue entry scripts that {etl_root / 'glue'} lacks: {', '.join(missing)} "
            '(each is two lines: from etl.glue.entry import run; run("<job>"))'
        )


def pipeline_metrics_log_group(prefix: str) -> str:
    """The log group the jobs write their EMF metrics to (CloudWatch extracts them from there)."""
    return f"/lakehouse/{prefix}/pipeline-metrics"


def deployable_jobs(enabled: Mapping[str, Any]) -> dict[str, JobSpec]:
    """The graph's jobs whose feeding components the stack enables (documents_analytics needs the
    document store): a job with nothing to read is not deployed."""
    return {name: job for name, job in JOBS.items() if set(job.requires) <= set(enabled)}


def key_policy(scope: iam.KeyPolicyScope, config: Any) -> list[iam.Statement]:
    """CloudWatch Logs' delivery service reads the state machine's encrypted execution data to
    deliver it to the log group, so it decrypts with the stack key as itself (for this account)."""
    return [
        iam.allow(
            "AllowStepFunctionsLogDelivery",
            ["kms:Decrypt"],
            "*",  # in a key policy, "*" means this key
            principal=iam.service_principal("delivery.logs.amazonaws.com"),
            conditions={"StringEquals": {"aws:SourceAccount": scope.account_id}},
        )
    ]


REGISTRATION = Registration(
    key=KEY,
    config_model=BatchConfig,
    factory=standard_factory(BatchProcessing, graph=lambda context: deployable_jobs(context.settings.components)),
    key_policy=key_policy,
    depends_on=("foundation",),
    summary="The job graph as Glue 5.1 jobs run by a Step Functions state machine, on a schedule, EMR optional",
)
