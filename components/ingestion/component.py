"""IngestionApi: an HTTP API whose one job is to land validated JSON records in the raw zone.

API Gateway (HTTP API, throttled, access-logged to an encrypted log group) -> the ingestion handler
(``functions/ingestion``, a PythonFunction) -> ``raw/source=<source>/...`` of the foundation's raw bucket.
Callers authenticate with SigV4 (IAM, the default) or a JWT from a configured issuer.

Routes are explicit ``Route`` resources derived from the handler's OpenAPI document rather than an
imported API body: HTTP APIs do not validate requests against the document (the handler does), so
an import would carry nothing but the routes, while hiding them, and their authorization, from the
preview and from the policy pack's ``api-route-authorized`` rule, which reads Route resources.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
from pulumi_aws import apigatewayv2, cloudwatch, lambda_
from pulumi_aws import iam as aws_iam

from .. import iam
from ..alarms import Alarm
from ..factory import standard_factory
from ..foundation import DataLakeFoundation
from ..lambda_function import FunctionRunbooks, FunctionSettings, PythonFunction
from ..logs import encrypted_log_group
from ..registry import Registration, exported
from ..tagging import with_name
from .access import handler_statements
from .config import IngestionConfig
from .routes import Route, load_routes

STAGE = "$default"  # served at the API's root URL, deployed on every change
INTEGRATION_TIMEOUT_MS = 30000  # the HTTP API maximum
# One JSON object per request: who called what, how it ended, and how long the handler took.
ACCESS_LOG_FORMAT = json.dumps(
    {
        "requestId": "$context.requestId",
        "requestTime": "$context.requestTime",
        "sourceIp": "$context.identity.sourceIp",
        "caller": "$context.identity.userArn",
        "routeKey": "$context.routeKey",
        "status": "$context.status",
        "responseLength": "$context.responseLength",
        "integrationStatus": "$context.integrationStatus",
        "integrationLatency": "$context.integrationLatency",
        "integrationError": "$context.integrationErrorMessage",
    },
    separators=(",", ":"),
)

HANDLER_RUNBOOKS = FunctionRunbooks(
    errors="The ingestion handler raised: read its JSON logs for the stack trace and the request id.",
    throttles="Requests exceed reserved_concurrency: raise it, or lower the stage's throttling.",
    duration="The handler nears its timeout: look for large batches or slow S3 writes; raise timeout_seconds (max 29).",
)


@dataclass(frozen=True)
class IngestionOutputs:
    """What the stack exports: where to send records, and what to look at when they do not arrive."""

    api_endpoint: pulumi.Output[str]
    api_id: pulumi.Output[str]
    stage: pulumi.Output[str]
    function_name: pulumi.Output[str]


class IngestionApi(pulumi.ComponentResource):
    """HTTP API -> ingestion handler -> raw zone; takes the foundation it writes into."""

    api: apigatewayv2.Api
    authorizer: apigatewayv2.Authorizer | None
    integration: apigatewayv2.Integration
    routes: list[apigatewayv2.Route]
    stage: apigatewayv2.Stage
    access_logs: cloudwatch.LogGroup
    handler: PythonFunction
    execution_arn: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        foundation: DataLakeFoundation,
        config: IngestionConfig | None = None,
        *,
        tags: Mapping[str, str] | None = None,
        name_prefix: str | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("lakehouse:index:IngestionApi", name, None, opts)
        config = config or IngestionConfig()
        routes = load_routes()  # a missing or empty document stops here, before any resource
        tags = dict(tags or {})
        prefix = name_prefix or name
        child = pulumi.ResourceOptions(parent=self)

        self.handler = PythonFunction(
            f"{name}-handler",
            handler_package="ingestion",
            function_name=f"{prefix}-ingestion",
            description="Validates ingestion API records and lands them in the raw zone",
            key_arn=foundation.key.arn,
            account_id=foundation.account_id,
            statements=[],
            settings=FunctionSettings(
                memory_mb=config.memory_mb,
                timeout_seconds=config.timeout_seconds,
                reserved_concurrency=config.reserved_concurrency,
                log_retention_days=config.log_retention_days,
                environment={"RAW_BUCKET": foundation.buckets.raw.bucket, "KMS_KEY_ARN": foundation.key.arn},
            ),
            tags=tags,
            opts=child,
        )
        aws_iam.RolePolicy(
            f"{name}-handler-access",
            role=self.handler.role.id,
            policy=iam.document_from(
                handler_statements, foundation.buckets.raw.arn, foundation.key.arn, foundation.region
            ),
            opts=child,
        )

        self.api = apigatewayv2.Api(
            f"{name}-api",
            name=f"{prefix}-ingestion",
            protocol_type="HTTP",
            description=f"Ingestion API of the {prefix} lake: JSON records to the raw zone",
            tags=with_name(tags, f"{prefix}-ingestion"),
            opts=child,
        )
        self.execution_arn = pulumi.Output.concat(
            "arn:",
            foundation.partition,
            ":execute-api:",
            foundation.region,
            ":",
            foundation.account_id,
            ":",
            self.api.id,
        )
        self.authorizer = (
            apigatewayv2.Authorizer(
                f"{name}-jwt",
                api_id=self.api.id,
                name=f"{prefix}-ingestion-jwt",
                authorizer_type="JWT",
                identity_sources=["$request.header.Authorization"],
                jwt_configuration={"issuer": config.jwt.issuer, "audiences": list(config.jwt.audience)},
                opts=child,
            )
            if config.jwt is not None
            else None
        )
        self.integration = apigatewayv2.Integration(
            f"{name}-integration",
            api_id=self.api.id,
            integration_type="AWS_PROXY",
            integration_method="POST",
            integration_uri=self.handler.function.arn,
            payload_format_version="2.0",
            timeout_milliseconds=INTEGRATION_TIMEOUT_MS,
            opts=child,
        )
        self.routes = [self._route(name, route, config) for route in routes]
        for route in routes:
            lambda_.Permission(
                f"{name}-invoke-{route.slug}",
                action="lambda:InvokeFunction",
                function=self.handler.function.name,
                principal="apigateway.amazonaws.com",
                source_arn=self.execution_arn.apply(route.source_arn),
                opts=child,
            )

        self.access_logs = encrypted_log_group(
            f"{name}-access-logs",
            name=f"/aws/apigateway/{prefix}-ingestion",
            key_arn=foundation.key.arn,
            retention_days=config.log_retention_days,
            tags=with_name(tags, f"{prefix}-ingestion-access-logs"),
            opts=child,
        )
        self.stage = apigatewayv2.Stage(
            f"{name}-stage",
            api_id=self.api.id,
            name=STAGE,
            auto_deploy=True,
            default_route_settings={
                "throttling_burst_limit": config.throttling.burst_limit,
                "throttling_rate_limit": config.throttling.rate_limit,
            },
            access_log_settings={"destination_arn": self.access_logs.arn, "format": ACCESS_LOG_FORMAT},
            tags=with_name(tags, f"{prefix}-ingestion-{STAGE.strip('$')}"),
            opts=pulumi.ResourceOptions(parent=self, depends_on=self.routes),
        )
        self.register_outputs(exported(self.stack_outputs()))

    def _route(self, name: str, route: Route, config: IngestionConfig) -> apigatewayv2.Route:
        jwt = self.authorizer is not None
        return apigatewayv2.Route(
            f"{name}-route-{route.slug}",
            api_id=self.api.id,
            route_key=route.key,
            target=pulumi.Output.concat("integrations/", self.integration.id),
            authorization_type="JWT" if jwt else "AWS_IAM",
            authorizer_id=self.authorizer.id if self.authorizer is not None else None,
            authorization_scopes=list(config.jwt.scopes) if config.jwt is not None and config.jwt.scopes else None,
            opts=pulumi.ResourceOptions(parent=self),
        )

    def stack_outputs(self) -> IngestionOutputs:
        return IngestionOutputs(
            api_endpoint=self.api.api_endpoint,
            api_id=self.api.id,
            stage=self.stage.name,
            function_name=self.handler.function.name,
        )

    def alarms(self) -> list[Alarm]:
        """What an operator of the API watches: server errors, slow answers, and the handler's health."""
        api = {"ApiId": self.api.id, "Stage": STAGE}
        return [
            Alarm(
                name="api-5xx",
                metric="5xx",
                namespace="AWS/ApiGateway",
                dimensions=api,
                threshold=5,
                runbook="Callers get 5xx: storage failed or the handler crashed; read the handler's logs, then retry with the same event_ids.",
            ),
            Alarm(
                name="api-latency-p99",
                metric="Latency",
                namespace="AWS/ApiGateway",
                dimensions=api,
                statistic="p99",
                threshold=3000,
                unit="Milliseconds",
                evaluation_periods=3,
                runbook="Slow answers: check the handler's Duration and throttles, and S3 PutObject latency.",
            ),
            *self.handler.health_alarms("handler", HANDLER_RUNBOOKS),
        ]


REGISTRATION = Registration(
    key="ingestion",
    config_model=IngestionConfig,
    factory=standard_factory(IngestionApi),
    depends_on=("foundation",),
    summary="HTTP API (IAM or JWT auth, throttled, access-logged) -> validating Lambda -> raw zone",
)
