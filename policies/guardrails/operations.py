"""Operations: key rotation, log retention, backups and deletion protection, observability."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from . import types as t
from .framework import ADVISORY, MANDATORY, UNKNOWN, Node, get, is_set, listed, must_equal, resource_rule, stack_rule

DOMAIN = "operations"

# Lambda runtimes AWS has deprecated (no security patches); see AWS Lambda's runtime deprecation table.
DEPRECATED_RUNTIMES = {
    "python2.7",
    "python3.6",
    "python3.7",
    "python3.8",
    "nodejs",
    "nodejs4.3",
    "nodejs6.10",
    "nodejs8.10",
    "nodejs10.x",
    "nodejs12.x",
    "nodejs14.x",
    "nodejs16.x",
    "java8",
    "dotnetcore1.0",
    "dotnetcore2.0",
    "dotnetcore2.1",
    "dotnetcore3.1",
    "dotnet5.0",
    "dotnet6",
    "ruby2.5",
    "ruby2.7",
    "go1.x",
    "provided",
}
_ACCESS_KEY = re.compile(r"(?<![A-Z0-9])(AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])")
_SECRET_NAME = re.compile(r"(PASSWORD|PASSWD|SECRET|TOKEN|PRIVATE_KEY|API_KEY)", re.IGNORECASE)


@resource_rule(
    "kms-key-rotation-enabled",
    "Customer-managed KMS keys rotate their key material every year and are enabled",
    (t.KMS_KEY,),
    MANDATORY,
    DOMAIN,
)
def kms_rotation(props: Any, config: Any, _: str) -> Iterable[str]:
    if get(props, "customerMasterKeySpec", "SYMMETRIC_DEFAULT") != "SYMMETRIC_DEFAULT":
        return  # AWS rotates only symmetric keys
    yield from must_equal(props, "enableKeyRotation", True, "yearly rotation of key material")
    if get(props, "isEnabled") is False:
        yield "isEnabled is false: a disabled key makes every store it encrypts unreadable"


@resource_rule(
    "kms-key-policy-defined",
    "KMS keys carry an explicit key policy instead of the default one",
    (t.KMS_KEY,),
    ADVISORY,
    DOMAIN,
)
def kms_policy_defined(props: Any, config: Any, _: str) -> Iterable[str]:
    if not is_set(get(props, "policy")):
        yield "no key policy: the default policy lets any IAM principal of the account with kms:* use the key"


@resource_rule(
    "log-group-retention-set",
    "CloudWatch log groups have a retention period (logs are not kept, and paid for, forever)",
    (t.LOG_GROUP,),
    MANDATORY,
    DOMAIN,
)
def log_retention_set(props: Any, config: Any, _: str) -> Iterable[str]:
    days = get(props, "retentionInDays")
    if days is UNKNOWN:
        yield "retentionInDays is unknown at preview, so retention cannot be verified"
    elif not days:
        yield "retentionInDays must be set (0 or absent keeps logs forever)"


@resource_rule(
    "log-group-retention-long-enough",
    "CloudWatch log groups keep logs at least minimumDays (audit needs; 365 by default)",
    (t.LOG_GROUP,),
    ADVISORY,
    DOMAIN,
    config_schema={"minimumDays": {"type": "integer", "minimum": 1}},
    defaults={"minimumDays": 365},
)
def log_retention_long(props: Any, config: Any, _: str) -> Iterable[str]:
    days = get(props, "retentionInDays")
    if isinstance(days, (int, float)) and 0 < days < config["minimumDays"]:  # numbers arrive as floats
        yield f"retentionInDays is {days:g}, below the minimum of {config['minimumDays']}"


@resource_rule(
    "documentdb-backups-and-deletion-protection",
    "DocumentDB clusters keep backups at least minimumBackupDays and are protected from deletion",
    (t.DOCDB_CLUSTER,),
    ADVISORY,
    DOMAIN,
    config_schema={"minimumBackupDays": {"type": "integer", "minimum": 1, "maximum": 35}},
    defaults={"minimumBackupDays": 7},
)
def documentdb_backups(props: Any, config: Any, _: str) -> Iterable[str]:
    days = get(props, "backupRetentionPeriod", 1)  # AWS default: 1 day
    if days is UNKNOWN or days < config["minimumBackupDays"]:
        yield f"backupRetentionPeriod must be >= {config['minimumBackupDays']} days, got {days!r}"
    yield from must_equal(props, "deletionProtection", True, "protection from deletion")


@resource_rule(
    "documentdb-audit-logs",
    "DocumentDB exports audit and profiler logs to CloudWatch, and its parameter group turns audit logs on",
    (t.DOCDB_CLUSTER, t.DOCDB_PARAMETER_GROUP),
    ADVISORY,
    DOMAIN,
)
def documentdb_audit(props: Any, config: Any, resource_type: str) -> Iterable[str]:
    if resource_type == t.DOCDB_CLUSTER:
        exports = listed(get(props, "enabledCloudwatchLogsExports"))
        if UNKNOWN not in exports and "audit" not in exports:
            yield "enabledCloudwatchLogsExports should include 'audit'"
        return
    values = {get(p, "name"): get(p, "value") for p in listed(get(props, "parameters")) if p is not UNKNOWN}
    if str(values.get("audit_logs", "disabled")).lower() in ("disabled", "none"):
        yield "parameter audit_logs should be enabled"


@resource_rule(
    "lambda-runtime-supported",
    "Lambda functions use a runtime AWS still patches",
    (t.LAMBDA_FUNCTION,),
    MANDATORY,
    DOMAIN,
)
def lambda_runtime(props: Any, config: Any, _: str) -> Iterable[str]:
    runtime = get(props, "runtime")
    if isinstance(runtime, str) and runtime in DEPRECATED_RUNTIMES:
        yield f"runtime {runtime} is deprecated by AWS"


@resource_rule(
    "lambda-no-secrets-in-environment",
    "Lambda environment variables hold no credentials (use Secrets Manager)",
    (t.LAMBDA_FUNCTION,),
    MANDATORY,
    DOMAIN,
)
def lambda_secrets(props: Any, config: Any, _: str) -> Iterable[str]:
    variables = get(props, "environment.variables") or {}
    if variables is UNKNOWN:
        return
    for name, value in variables.items():
        if isinstance(value, str) and _ACCESS_KEY.search(value):
            yield f"environment variable {name} holds an AWS access key id"
        elif _SECRET_NAME.search(name) and isinstance(value, str) and value and not value.startswith("arn:"):
            yield f"environment variable {name} looks like a secret; pass its Secrets Manager ARN instead"


@resource_rule(
    "lambda-observable-and-bounded",
    "Lambda functions trace with X-Ray, send failed async events to a dead-letter queue, and cap concurrency",
    (t.LAMBDA_FUNCTION,),
    ADVISORY,
    DOMAIN,
)
def lambda_observable(props: Any, config: Any, _: str) -> Iterable[str]:
    if get(props, "tracingConfig.mode") != "Active":
        yield "tracingConfig.mode should be Active (X-Ray)"
    if not is_set(get(props, "deadLetterConfig.targetArn")):
        yield "deadLetterConfig.targetArn should name a dead-letter queue"
    if get(props, "reservedConcurrentExecutions", -1) in (-1, None):
        yield "reservedConcurrentExecutions should cap the function's concurrency"


@resource_rule(
    "state-machine-logged-and-traced",
    "Step Functions state machines log execution history and trace with X-Ray",
    (t.STATE_MACHINE,),
    ADVISORY,
    DOMAIN,
)
def state_machine_observable(props: Any, config: Any, _: str) -> Iterable[str]:
    if get(props, "loggingConfiguration.level", "OFF") == "OFF" or not is_set(
        get(props, "loggingConfiguration.logDestination")
    ):
        yield "loggingConfiguration should send execution history (level ERROR or ALL) to a log group"
    if (
        get(props, "tracingConfiguration.enabled") is not True
        and get(props, "tracingConfiguration.enabled") is not UNKNOWN
    ):
        yield "tracingConfiguration.enabled should be true (X-Ray)"


@resource_rule(
    "msk-broker-logs",
    "MSK clusters ship broker logs (CloudWatch Logs, Firehose or S3)",
    (t.MSK_CLUSTER,),
    ADVISORY,
    DOMAIN,
)
def msk_logs(props: Any, config: Any, _: str) -> Iterable[str]:
    logs = get(props, "loggingInfo.brokerLogs") or {}
    if logs is not UNKNOWN and not any(get(logs, f"{sink}.enabled") for sink in ("cloudwatchLogs", "firehose", "s3")):
        yield "loggingInfo.brokerLogs should enable at least one destination"


@resource_rule(
    "api-stage-access-logs",
    "HTTP API stages write access logs",
    (t.API_STAGE,),
    ADVISORY,
    DOMAIN,
)
def api_access_logs(props: Any, config: Any, _: str) -> Iterable[str]:
    if not is_set(get(props, "accessLogSettings.destinationArn")):
        yield "accessLogSettings.destinationArn should name a log group"


@resource_rule(
    "dms-minor-upgrades",
    "DMS replication instances take minor engine upgrades automatically",
    (t.DMS_INSTANCE,),
    ADVISORY,
    DOMAIN,
)
def dms_upgrades(props: Any, config: Any, _: str) -> Iterable[str]:
    if get(props, "autoMinorVersionUpgrade") is not True and get(props, "autoMinorVersionUpgrade") is not UNKNOWN:
        yield "autoMinorVersionUpgrade should be true"


@resource_rule(
    "cloudwatch-alarm-notifies",
    "CloudWatch alarms act when they fire: actions enabled and at least one alarm action (a topic to notify)",
    (t.METRIC_ALARM,),
    ADVISORY,
    DOMAIN,
)
def alarm_notifies(props: Any, config: Any, _: str) -> Iterable[str]:
    enabled = get(props, "actionsEnabled")  # AWS's default is true: only false or unknown fails
    if enabled is UNKNOWN:
        yield "actionsEnabled is unknown at preview, so it cannot be verified; set it to True explicitly"
    elif enabled is False:
        yield "actionsEnabled is false: the alarm changes state and nobody hears of it"
    if not listed(get(props, "alarmActions")):
        yield "no alarmActions: name the topic (or other action) that tells someone the alarm fired"


@stack_rule(
    "secret-rotated",
    "Every Secrets Manager secret rotates automatically, at least every maximumDays (90 by default)",
    (t.SECRET, t.SECRET_ROTATION),
    ADVISORY,
    DOMAIN,
    config_schema={"maximumDays": {"type": "integer", "minimum": 1}},
    defaults={"maximumDays": 90},
)
def secret_rotated(nodes: list[Node], config: Any) -> Iterable[tuple[str, str]]:
    rotations = [n for n in nodes if n.type == t.SECRET_ROTATION]
    for secret in (n for n in nodes if n.type == t.SECRET):
        mine = [r for r in rotations if r.depends_on("secretId", secret.urn)]
        if not mine:
            yield secret.urn, "no SecretRotation for this secret"
        for rotation in mine:
            days = get(rotation.props, "rotationRules.automaticallyAfterDays")
            if isinstance(days, (int, float)) and days > config["maximumDays"]:
                yield secret.urn, f"rotates every {days:g} days, more than {config['maximumDays']}"


RULES = [
    kms_rotation,
    kms_policy_defined,
    log_retention_set,
    log_retention_long,
    documentdb_backups,
    documentdb_audit,
    lambda_runtime,
    lambda_secrets,
    lambda_observable,
    state_machine_observable,
    msk_logs,
    api_access_logs,
    dms_upgrades,
    alarm_notifies,
    secret_rotated,
]
