"""Exposure: nothing publicly reachable, no resource policy open to everyone."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from . import documents
from . import types as t
from .framework import ADVISORY, MANDATORY, UNKNOWN, get, is_set, listed, must_equal, resource_rule

DOMAIN = "exposure"

# Resource type -> the property holding its resource policy document.
RESOURCE_POLICIES = {
    t.S3_POLICY[0]: "policy",
    t.SQS_QUEUE_POLICY: "policy",
    t.SNS_TOPIC_POLICY: "policy",
    t.SNS_TOPIC: "policy",
    t.SQS_QUEUE: "policy",
    t.SECRET_POLICY: "policy",
    t.SECRET: "policy",
    t.GLUE_RESOURCE_POLICY: "policy",
    t.KMS_KEY: "policy",
    t.KMS_KEY_POLICY: "policy",
    t.IAM_ROLE: "assumeRolePolicy",
}


@resource_rule(
    "no-public-resource-policy",
    "No resource policy (bucket, queue, topic, secret, key, catalog, role trust) allows Principal '*' without a condition",
    tuple(RESOURCE_POLICIES),
    MANDATORY,
    DOMAIN,
    checkov=("CKV_AWS_70", "CKV_AWS_33", "CKV_AWS_168", "CKV_AWS_169", "CKV_AWS_387", "CKV_AWS_60", "CKV_AWS_61"),
)
def no_public_resource_policy(props: Any, config: Any, resource_type: str) -> Iterable[str]:
    document = get(props, RESOURCE_POLICIES[resource_type])
    if document is None:
        return
    yield from documents.public_statement_problems(document)


@resource_rule(
    "s3-acl-not-public",
    "No S3 bucket ACL grants access to AllUsers or AuthenticatedUsers",
    t.S3_ACL,
    MANDATORY,
    DOMAIN,
    checkov=("CKV_AWS_20", "CKV_AWS_57", "CKV_AWS_375", "CKV2_AWS_43"),
)
def s3_acl_not_public(props: Any, config: Any, _: str) -> Iterable[str]:
    acl = get(props, "acl")
    if acl is UNKNOWN or acl in ("public-read", "public-read-write", "authenticated-read"):
        yield f"acl must not be public, got {acl!r}"
    for grant in listed(get(props, "accessControlPolicy.grants")):
        uri = str(get(grant, "grantee.uri") or "")
        if uri.endswith("/global/AllUsers") or uri.endswith("/global/AuthenticatedUsers"):
            yield f"grant {get(grant, 'permission')} to {uri} makes the bucket public"


@resource_rule(
    "not-publicly-accessible",
    "DMS replication instances and MSK brokers are not reachable from the internet",
    (t.DMS_INSTANCE, t.MSK_CLUSTER),
    MANDATORY,
    DOMAIN,
    checkov=("CKV_AWS_89", "CKV_AWS_291"),
)
def not_publicly_accessible(props: Any, config: Any, resource_type: str) -> Iterable[str]:
    if resource_type == t.DMS_INSTANCE:
        # AWS makes a replication instance public unless told otherwise: false must be explicit.
        yield from must_equal(props, "publiclyAccessible", False, "no public IP")
        return
    access = get(props, "brokerNodeGroupInfo.connectivityInfo.publicAccess.type")
    if access is UNKNOWN or access not in (None, "DISABLED"):
        yield f"brokerNodeGroupInfo.connectivityInfo.publicAccess.type must be DISABLED, got {access!r}"


@resource_rule(
    "lambda-not-public",
    "Lambda permissions and function URLs do not open a function to everyone",
    (t.LAMBDA_PERMISSION, t.LAMBDA_URL),
    MANDATORY,
    DOMAIN,
    checkov=("CKV_AWS_301", "CKV_AWS_258", "CKV_AWS_364", "CKV2_AWS_75"),
)
def lambda_not_public(props: Any, config: Any, resource_type: str) -> Iterable[str]:
    if resource_type == t.LAMBDA_URL:
        yield from must_equal(props, "authorizationType", "AWS_IAM", "callers are authenticated")
        if "*" in listed(get(props, "cors.allowOrigins")):
            yield "cors.allowOrigins '*' lets any web page call the function from a browser"
        return
    principal = get(props, "principal")
    scoped = is_set(get(props, "sourceArn")) or is_set(get(props, "sourceAccount"))
    if principal == "*" and not scoped:
        yield "principal '*' without sourceArn or sourceAccount lets anyone invoke the function"
    elif isinstance(principal, str) and principal.endswith(".amazonaws.com") and not scoped:
        yield f"service principal {principal} without sourceArn or sourceAccount: any account's {principal} could invoke it"


@resource_rule(
    "api-route-authorized",
    "HTTP API routes require authorization (IAM, JWT or a Lambda authorizer)",
    (t.API_ROUTE,),
    MANDATORY,
    DOMAIN,
    checkov=("CKV_AWS_309",),
)
def api_route_authorized(props: Any, config: Any, _: str) -> Iterable[str]:
    kind = get(props, "authorizationType")
    if kind is UNKNOWN or kind in (None, "NONE"):
        yield f"authorizationType must be AWS_IAM, JWT or CUSTOM, got {kind!r}"


@resource_rule(
    "emr-serverless-in-vpc",
    "EMR Serverless applications run in the lake's private subnets",
    (t.EMR_SERVERLESS_APP,),
    ADVISORY,
    DOMAIN,
)
def emr_serverless_in_vpc(props: Any, config: Any, _: str) -> Iterable[str]:
    if not get(props, "networkConfiguration.subnetIds"):
        yield "networkConfiguration.subnetIds should name private subnets"


RULES = [
    no_public_resource_policy,
    s3_acl_not_public,
    not_publicly_accessible,
    lambda_not_public,
    api_route_authorized,
    emr_serverless_in_vpc,
]
