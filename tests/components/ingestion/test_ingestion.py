"""IngestionApi under mocks: the dev and prod blocks proposed for the stack files, a JWT variant, and
the component as a library; every permission flow proven with the offline access model."""

from __future__ import annotations

import json

import pytest

from components import DataLakeFoundation
from components.ingestion import IngestionApi, IngestionConfig, JwtConfig
from tests.components.conftest import access_model, build, build_component, planned
from tests.conftest import one, policy_of, resources_of, violations

# The blocks proposed for Pulumi.dev.yaml and Pulumi.prod.yaml (see docs/components/ingestion.md).
DEV_BLOCK = {"authorization": "iam", "throttling": {"burst_limit": 50, "rate_limit": 20}, "reserved_concurrency": 5}
PROD_BLOCK = {
    "authorization": "iam",
    "throttling": {"burst_limit": 500, "rate_limit": 200},
    "reserved_concurrency": 50,
    "log_retention_days": 365,
}
JWT_BLOCK = {
    "authorization": "jwt",
    "jwt": {"issuer": "https://auth.example.com/", "audience": ["ingest-api"], "scopes": ["events/write"]},
    "memory_mb": 512,
    "timeout_seconds": 20,
}
ACCOUNT = "123456789012"
ROUTE = "ingestion-route-post-events"

dev = planned("dev", ingestion=DEV_BLOCK)
prod = planned("prod", ingestion=PROD_BLOCK)
jwt = planned("dev", ingestion=JWT_BLOCK)
access = access_model("dev")


def _raw_bucket(plan) -> str:
    return plan.outputs["foundation"]["buckets"]["raw"]


def _function_arn(plan) -> str:
    return f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function/{plan.outputs['ingestion']['function_name']}"


# --- policy pack -------------------------------------------------------------------------------------


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_policy_pack_is_clean_with_the_proposed_block(request, stack):
    assert violations(request.getfixturevalue(stack), stack) == []


def test_policy_pack_is_clean_with_jwt_authorization(jwt):
    assert violations(jwt, "dev") == []


# --- the API -----------------------------------------------------------------------------------------


def test_each_document_operation_is_a_route_signed_with_iam_by_default(dev):
    (route,) = [r for r in resources_of(dev, "aws:apigatewayv2/route:Route") if r.component == "ingestion"]
    integration = one(dev, "aws:apigatewayv2/integration:Integration", "ingestion-integration")
    assert route.name == ROUTE
    assert route.props["routeKey"] == "POST /events"
    assert route.props["authorizationType"] == "AWS_IAM"
    assert "authorizerId" not in route.props
    assert route.props["target"].startswith("integrations/")
    assert integration.props["integrationType"] == "AWS_PROXY"
    assert integration.props["payloadFormatVersion"] == "2.0"
    assert integration.props["integrationUri"] == _function_arn(dev)


def test_stage_is_throttled_from_config_and_access_logged(dev):
    stage = one(dev, "aws:apigatewayv2/stage:Stage", "ingestion-stage")
    logs = one(dev, "aws:cloudwatch/logGroup:LogGroup", "ingestion-access-logs")
    assert stage.props["name"] == "$default"
    assert stage.props["autoDeploy"] is True
    assert stage.props["defaultRouteSettings"] == {"throttlingBurstLimit": 50, "throttlingRateLimit": 20}
    assert stage.props["accessLogSettings"]["destinationArn"] == (
        f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:/aws/apigateway/lakehouse-dev-ingestion"
    )
    assert json.loads(stage.props["accessLogSettings"]["format"])["routeKey"] == "$context.routeKey"
    assert logs.props["kmsKeyId"] == dev.outputs["foundation"]["kms_key_arn"]
    assert logs.props["retentionInDays"] == 30


def test_prod_keeps_access_logs_a_year_and_raises_the_throttle(prod):
    stage = one(prod, "aws:apigatewayv2/stage:Stage", "ingestion-stage")
    assert stage.props["defaultRouteSettings"] == {"throttlingBurstLimit": 500, "throttlingRateLimit": 200}
    assert one(prod, "aws:cloudwatch/logGroup:LogGroup", "ingestion-access-logs").props["retentionInDays"] == 365
    assert one(prod, "aws:cloudwatch/logGroup:LogGroup", "ingestion-handler-logs").props["retentionInDays"] == 365


def test_handler_gets_the_raw_bucket_and_key_reserved_concurrency_and_a_dlq(dev):
    function = one(dev, "aws:lambda/function:Function", "ingestion-handler-function")
    assert function.props["handler"] == "functions.ingestion.handler.handler"
    assert function.props["environment"]["variables"] == {
        "RAW_BUCKET": _raw_bucket(dev),
        "KMS_KEY_ARN": dev.outputs["foundation"]["kms_key_arn"],
    }
    assert function.props["reservedConcurrentExecutions"] == 5
    assert function.props["timeout"] == 10
    assert function.props["deadLetterConfig"]["targetArn"].startswith(f"arn:aws:sqs:eu-west-1:{ACCOUNT}:")


def test_jwt_config_adds_an_authorizer_that_every_route_uses(jwt):
    authorizer = one(jwt, "aws:apigatewayv2/authorizer:Authorizer", "ingestion-jwt")
    route = one(jwt, "aws:apigatewayv2/route:Route", ROUTE)
    function = one(jwt, "aws:lambda/function:Function", "ingestion-handler-function")
    assert authorizer.props["authorizerType"] == "JWT"
    assert authorizer.props["identitySources"] == ["$request.header.Authorization"]
    assert authorizer.props["jwtConfiguration"] == {"issuer": "https://auth.example.com/", "audiences": ["ingest-api"]}
    assert route.props["authorizationType"] == "JWT"
    assert route.props["authorizerId"] == "lakehouse-dev-ingestion-jwt"
    assert route.props["authorizationScopes"] == ["events/write"]
    assert (function.props["memorySize"], function.props["timeout"]) == (512, 20)


def test_stack_exports_api_stage_and_function(dev):
    outputs = dev.outputs["ingestion"]
    assert outputs["api_id"] == "lakehouse-dev-ingestion"
    assert outputs["stage"] == "$default"
    assert outputs["function_name"] == "lakehouse-dev-ingestion"
    assert "api_endpoint" in outputs  # computed by AWS at deploy time


def test_every_resource_is_parented_under_the_component(dev):
    ours = [r for r in dev.resources if r.component == "ingestion"]
    assert {r.type for r in ours} >= {
        "aws:apigatewayv2/api:Api",
        "aws:apigatewayv2/stage:Stage",
        "aws:lambda/permission:Permission",
        "aws:iam/rolePolicy:RolePolicy",
    }
    assert all(r.parent is not None for r in ours if r.type != "lakehouse:index:IngestionApi")


# --- permission flows --------------------------------------------------------------------------------


def test_handler_may_write_records_under_raw(dev, access):
    role = access.role_arn("ingestion-handler-role")
    key = f"arn:aws:s3:::{_raw_bucket(dev)}/raw/source=iot_sensors/year=2025/month=11/day=25/x.json"
    assert access.allows(role, "s3:PutObject", key)


def test_handler_may_not_write_another_prefix_of_the_raw_bucket(dev, access):
    role = access.role_arn("ingestion-handler-role")
    assert not access.allows(role, "s3:PutObject", f"arn:aws:s3:::{_raw_bucket(dev)}/errors/clickstream_events/x.gz")


def test_handler_may_not_write_another_bucket(dev, access):
    role = access.role_arn("ingestion-handler-role")
    processed = dev.outputs["foundation"]["buckets"]["processed"]
    assert not access.allows(role, "s3:PutObject", f"arn:aws:s3:::{processed}/raw/source=a/x.json")


def test_handler_may_not_read_or_delete_what_it_wrote(dev, access):
    role = access.role_arn("ingestion-handler-role")
    key = f"arn:aws:s3:::{_raw_bucket(dev)}/raw/source=a/x.json"
    assert not access.allows(role, "s3:GetObject", key)
    assert not access.allows(role, "s3:DeleteObject", key)


def test_handler_may_encrypt_through_s3_for_the_raw_bucket(dev, access):
    role = access.role_arn("ingestion-handler-role")
    context = {
        "kms:ViaService": "s3.eu-west-1.amazonaws.com",
        "kms:EncryptionContext:aws:s3:arn": f"arn:aws:s3:::{_raw_bucket(dev)}",
    }
    assert access.allows(role, "kms:GenerateDataKey", dev.outputs["foundation"]["kms_key_arn"], context)


def test_this_api_may_invoke_the_handler(dev, access):
    source = f"arn:aws:execute-api:eu-west-1:{ACCOUNT}:lakehouse-dev-ingestion/$default/POST/events"
    assert access.allows(
        "apigateway.amazonaws.com", "lambda:InvokeFunction", _function_arn(dev), {"aws:SourceArn": source}
    )


def test_another_api_may_not_invoke_the_handler(dev, access):
    source = f"arn:aws:execute-api:eu-west-1:{ACCOUNT}:other-api/$default/POST/events"
    assert not access.allows(
        "apigateway.amazonaws.com", "lambda:InvokeFunction", _function_arn(dev), {"aws:SourceArn": source}
    )


def test_this_api_may_not_invoke_the_handler_on_a_route_it_does_not_have(dev, access):
    source = f"arn:aws:execute-api:eu-west-1:{ACCOUNT}:lakehouse-dev-ingestion/$default/DELETE/events"
    assert not access.allows(
        "apigateway.amazonaws.com", "lambda:InvokeFunction", _function_arn(dev), {"aws:SourceArn": source}
    )


def test_invoke_permission_is_scoped_to_this_apis_execution_arn(dev):
    permission = one(dev, "aws:lambda/permission:Permission", "ingestion-invoke-post-events")
    assert permission.props["principal"] == "apigateway.amazonaws.com"
    assert permission.props["sourceArn"] == (
        f"arn:aws:execute-api:eu-west-1:{ACCOUNT}:lakehouse-dev-ingestion/*/POST/events"
    )


def test_handler_policy_names_only_the_raw_prefix(dev):
    statements = policy_of(one(dev, "aws:iam/rolePolicy:RolePolicy", "ingestion-handler-access"))["Statement"]
    assert statements[0]["Resource"] == [f"arn:aws:s3:::{_raw_bucket(dev)}/raw/*"]


# --- the component as a library ----------------------------------------------------------------------


def test_defaults_need_only_the_foundation():
    created = build(lambda: IngestionApi("api", DataLakeFoundation("lake")))
    assert created.created["api-route-post-events"].inputs["authorizationType"] == "AWS_IAM"
    assert created.created["api-api"].inputs["name"] == "api-ingestion"
    assert created.created["api-handler-function"].inputs["reservedConcurrentExecutions"] == 10
    assert created.created["api-stage"].inputs["defaultRouteSettings"] == {
        "throttlingBurstLimit": 100,
        "throttlingRateLimit": 50,
    }
    assert created.of_type("aws:apigatewayv2/authorizer:Authorizer") == []


def test_custom_config_as_a_library():
    config = IngestionConfig(authorization="jwt", jwt=JwtConfig(issuer="https://id.example.com", audience=["a", "b"]))
    created = build(
        lambda: IngestionApi("api", DataLakeFoundation("lake"), config, tags={"owner": "x"}, name_prefix="acme-qa")
    )
    assert created.created["api-jwt"].inputs["jwtConfiguration"]["audiences"] == ["a", "b"]
    assert created.created["api-api"].inputs["tags"] == {"owner": "x", "Name": "acme-qa-ingestion"}
    assert "authorizationScopes" not in created.created["api-route-post-events"].inputs


def test_alarms_cover_api_errors_latency_and_the_handler():
    _, api = build_component(lambda: IngestionApi("api", DataLakeFoundation("lake")))
    alarms = {a.name: a for a in api.alarms()}
    assert sorted(alarms) == [
        "api-5xx",
        "api-latency-p99",
        "handler-duration-p99",
        "handler-errors",
        "handler-throttles",
    ]
    assert (alarms["api-5xx"].namespace, alarms["api-5xx"].metric) == ("AWS/ApiGateway", "5xx")
    assert alarms["api-latency-p99"].statistic == "p99"
    assert alarms["handler-duration-p99"].threshold == 8000  # 80% of the 10 s default timeout
    assert alarms["api-5xx"].dimensions["Stage"] == "$default"
