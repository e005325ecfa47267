"""PythonFunction: one Lambda handler of ``functions/`` deployed the way every component deploys one.

Each handler folder is packaged with the shared ``functions/common`` code (nothing else of the
repository), and gets what a reviewer checks on every function: its own role trusted only by Lambda
of this account, exactly the statements the caller grants plus its own log stream and X-Ray, a log
group encrypted with the stack key and a retention, X-Ray tracing, environment variables encrypted
with the stack key, a dead-letter queue (encrypted, for failed asynchronous invocations) and a
concurrency cap. The code hash Pulumi computes from the archive redeploys on a code change only.
Its owner offers the function's health alarms (errors, throttles, duration) with its own runbooks.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from pulumi_aws import cloudwatch, get_partition_output, get_region_output, lambda_, sqs
from pulumi_aws import iam as aws_iam

from . import iam
from .alarms import Alarm
from .logs import encrypted_log_group
from .queues import dead_letter_queue
from .roles import role_with_policy
from .tagging import with_name

FUNCTIONS_ROOT = Path(__file__).resolve().parents[1] / "functions"
RUNTIME = "python3.12"
SHARED_PACKAGES = ("common",)
DURATION_ALARM_SHARE = 0.8  # warn when invocations use this share of the timeout


def code_archive(handler_package: str, root: Path = FUNCTIONS_ROOT) -> pulumi.AssetArchive:
    """The deployment package: ``functions/__init__.py``, ``functions/common/`` and the handler's
    own folder, at the same import paths as in this repository (``functions.<name>.handler``)."""
    folder = root / handler_package
    if not (folder / "handler.py").is_file():
        raise ValueError(f"no Lambda handler at {folder / 'handler.py'}")
    assets: dict[str, pulumi.Asset | pulumi.Archive] = {
        "functions/__init__.py": pulumi.FileAsset(str(root / "__init__.py"))
    }
    for package in (*SHARED_PACKAGES, handler_package):
        for path in sorted((root / package).rglob("*.py")):
            assets[f"functions/{path.relative_to(root).as_posix()}"] = pulumi.FileAsset(str(path))
    return pulumi.AssetArchive(assets)


@dataclass(frozen=True)
class FunctionRunbooks:
    """What the operator of one function does when it raises, is throttled, or nears its timeout."""

    errors: str
    throttles: str
    duration: str


@dataclass(frozen=True)
class FunctionSettings:
    """Sizing and limits of one function (components fill it from their config models)."""

    memory_mb: int = 256
    timeout_seconds: int = 30
    reserved_concurrency: int | None = 10
    log_retention_days: int = 30
    environment: Mapping[str, Any] = field(default_factory=dict)
    subnet_ids: Any = None  # in the foundation's private subnets when set
    security_group_ids: Sequence[Any] = ()
    layers: Sequence[Any] = ()


class PythonFunction(pulumi.ComponentResource):
    """One Lambda function of ``functions/<handler_package>/handler.py`` with its role, logs and DLQ."""

    role: aws_iam.Role
    log_group: cloudwatch.LogGroup
    dead_letter_queue: sqs.Queue
    function: lambda_.Function

    def __init__(
        self,
        name: str,
        *,
        handler_package: str,
        function_name: str,
        description: str,
        key_arn: pulumi.Input[str],
        account_id: pulumi.Input[str],
        statements: Sequence[iam.Statement],
        settings: FunctionSettings | None = None,
        tags: Mapping[str, str] | None = None,
        code: pulumi.Archive | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("lakehouse:index:PythonFunction", name, None, opts)
        settings = settings or FunctionSettings()
        tags = dict(tags or {})
        child = pulumi.ResourceOptions(parent=self)
        self._timeout_seconds = settings.timeout_seconds  # what health_alarms() measures durations against
        # A fixed physical name: the log group (/aws/lambda/<name>) must exist, encrypted, before the function.
        self.log_group = encrypted_log_group(
            f"{name}-logs",
            name=f"/aws/lambda/{function_name}",
            key_arn=key_arn,
            retention_days=settings.log_retention_days,
            tags=with_name(tags, f"{name}-logs"),
            opts=child,
        )
        self.dead_letter_queue = dead_letter_queue(
            f"{name}-dlq", key_arn=key_arn, tags=with_name(tags, f"{name}-dlq"), opts=child
        )
        own = functools.partial(function_statements, self.log_group.arn, self.dead_letter_queue.arn, key_arn)
        if settings.subnet_ids is None:
            document = iam.document(*own(network=None), *statements)
        else:
            document = self._placement(settings, account_id).apply(
                lambda network: iam.document(*own(network=network), *statements)
            )
        self.role, policy = role_with_policy(
            f"{name}-role",
            policy_resource_name=f"{name}-policy",
            description=f"Runs the {name} Lambda function",
            assume_role_policy=iam.assume_role_policy("lambda.amazonaws.com", account_id),
            policy=document,
            tags=with_name(tags, f"{name}-role"),
            opts=child,
        )
        vpc_config = (
            {"subnet_ids": settings.subnet_ids, "security_group_ids": list(settings.security_group_ids)}
            if settings.subnet_ids is not None
            else None
        )
        self.function = lambda_.Function(
            f"{name}-function",
            name=function_name,
            description=description,
            runtime=RUNTIME,
            architectures=["arm64"],  # cheaper per GB-second; handlers are pure Python
            handler=f"functions.{handler_package}.handler.handler",
            code=code or code_archive(handler_package),
            role=self.role.arn,
            memory_size=settings.memory_mb,
            timeout=settings.timeout_seconds,
            reserved_concurrent_executions=settings.reserved_concurrency,
            kms_key_arn=key_arn,
            environment={"variables": dict(settings.environment)} if settings.environment else None,
            tracing_config={"mode": "Active"},
            dead_letter_config={"target_arn": self.dead_letter_queue.arn},
            logging_config={"log_format": "JSON", "log_group": self.log_group.name},
            vpc_config=vpc_config,
            layers=list(settings.layers) or None,
            tags=with_name(tags, function_name),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[policy, self.log_group]),
        )
        self.register_outputs({"function_name": self.function.name, "function_arn": self.function.arn})

    def health_alarms(self, label: str, runbooks: FunctionRunbooks) -> list[Alarm]:
        """The function's own health, named ``<label>-...``: it raised, it was throttled (calls beyond
        its reserved concurrency), its slowest invocations near the timeout."""
        function = {"FunctionName": self.function.name}
        return [
            Alarm(
                name=f"{label}-errors",
                metric="Errors",
                namespace="AWS/Lambda",
                dimensions=function,
                threshold=1,
                runbook=runbooks.errors,
            ),
            Alarm(
                name=f"{label}-throttles",
                metric="Throttles",
                namespace="AWS/Lambda",
                dimensions=function,
                threshold=1,
                runbook=runbooks.throttles,
            ),
            Alarm(
                name=f"{label}-duration-p99",
                metric="Duration",
                namespace="AWS/Lambda",
                dimensions=function,
                statistic="p99",
                threshold=DURATION_ALARM_SHARE * (self._timeout_seconds * 1000),
                unit="Milliseconds",
                evaluation_periods=3,
                runbook=runbooks.duration,
            ),
        ]

    def _placement(self, settings: FunctionSettings, account_id: pulumi.Input[str]) -> pulumi.Output[VpcPlacement]:
        """The function's subnets and security groups with the ARN parts that name them."""
        invoke = pulumi.InvokeOutputOptions(parent=self)
        return pulumi.Output.all(
            get_partition_output(opts=invoke).partition,
            get_region_output(opts=invoke).region,
            account_id,
            settings.subnet_ids,
            pulumi.Output.all(*settings.security_group_ids),
        ).apply(lambda values: VpcPlacement(*values))


@dataclass(frozen=True)
class VpcPlacement:
    """Where a VPC function's network interfaces go, as plain values (ARN parts and EC2 ids)."""

    partition: str
    region: str
    account_id: str
    subnet_ids: Sequence[str]
    security_group_ids: Sequence[str]

    def arn(self, kind: str, resource_id: str) -> str:
        """``arn("subnet", "subnet-0abc")``: an EC2 resource of this account and region."""
        return f"arn:{self.partition}:ec2:{self.region}:{self.account_id}:{kind}/{resource_id}"


def function_statements(
    log_group_arn: Any, dead_letter_arn: Any, key_arn: Any, *, network: VpcPlacement | None
) -> list[iam.Statement]:
    """What every function needs for itself: its log streams, X-Ray, its DLQ, the key for both, and
    in a VPC the network interfaces Lambda manages with the function's role (:func:`network_statements`).

    X-Ray's PutTraceSegments and PutTelemetryRecords accept only ``*`` as their resource: AWS defines
    no resource type for them.
    """
    log_streams = (
        pulumi.Output.concat(log_group_arn, ":*") if not isinstance(log_group_arn, str) else f"{log_group_arn}:*"
    )
    statements = [
        iam.allow("WriteOwnLogs", ["logs:CreateLogStream", "logs:PutLogEvents"], [log_streams]),
        iam.allow("Trace", ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], "*"),
        iam.allow("DeadLetter", ["sqs:SendMessage"], [dead_letter_arn]),
        iam.allow("UseStackKey", ["kms:Decrypt", "kms:GenerateDataKey"], [key_arn]),
    ]
    return statements + (network_statements(network) if network is not None else [])


def network_statements(network: VpcPlacement) -> list[iam.Statement]:
    """The grants of AWS's AWSLambdaVPCAccessExecutionRole, narrowed to the function's own network.

    Lambda creates, reuses and deletes the function's network interfaces with its role. EC2
    authorizes CreateNetworkInterface on the subnet, each security group and the new interface, so
    those are named; the interface actions hold for interfaces in the function's subnets only
    (the ``ec2:Subnet`` condition key of the network-interface resource).
    """
    subnets = [network.arn("subnet", subnet) for subnet in network.subnet_ids]
    groups = [network.arn("security-group", group) for group in network.security_group_ids]
    return [
        # The Describe actions have no resource type: AWS authorizes them on "*" only.
        iam.allow("FindNetworkInterfaces", ["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"], "*"),
        iam.allow("CreateInterfacesInOwnSubnets", ["ec2:CreateNetworkInterface"], [*subnets, *groups]),
        iam.allow(
            "ManageInterfacesInOwnSubnets",
            [
                "ec2:CreateNetworkInterface",
                "ec2:DeleteNetworkInterface",
                "ec2:AssignPrivateIpAddresses",
                "ec2:UnassignPrivateIpAddresses",
            ],
            [network.arn("network-interface", "*")],
            conditions={"ArnEquals": {"ec2:Subnet": subnets}},
        ),
    ]
