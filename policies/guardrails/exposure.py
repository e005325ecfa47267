"""Exposure: nothing publicly reachable, no resource policy open to everyone, no security group open
to the world but for HTTPS, and a data store's never."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from . import documents
from . import types as t
from .framework import (
    ADVISORY,
    EXCEPTIONS_SCHEMA,
    MANDATORY,
    UNKNOWN,
    Node,
    get,
    is_set,
    listed,
    must_equal,
    resource_rule,
    stack_rule,
)

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


WORLD = ("0.0.0.0/0", "::/0")


class Ingress(NamedTuple):
    """One way in: protocol, port range, and the CIDRs (IPv4 and IPv6) it admits."""

    where: str
    protocol: Any
    from_port: Any
    to_port: Any
    cidrs: list[Any]


def _ingresses(node: Node) -> list[Ingress]:
    """The ingress of a security group (inline rules) or of a separate rule resource."""
    props = node.props
    if node.type in t.SECURITY_GROUPS:
        return [
            Ingress(
                f"ingress {index}",
                get(rule, "protocol"),
                get(rule, "fromPort"),
                get(rule, "toPort"),
                [*listed(get(rule, "cidrBlocks")), *listed(get(rule, "ipv6CidrBlocks"))],
            )
            for index, rule in enumerate(listed(get(props, "ingress")))
        ]
    if node.type == t.SECURITY_GROUP_RULE:
        if get(props, "type") == "egress":
            return []
        cidrs = [*listed(get(props, "cidrBlocks")), *listed(get(props, "ipv6CidrBlocks"))]
        return [Ingress("rule", get(props, "protocol"), get(props, "fromPort"), get(props, "toPort"), cidrs)]
    cidrs = [c for c in (get(props, "cidrIpv4"), get(props, "cidrIpv6")) if c is not None]
    return [Ingress("rule", get(props, "ipProtocol"), get(props, "fromPort"), get(props, "toPort"), cidrs)]


def _ports(ingress: Ingress) -> str:
    protocol = str(ingress.protocol).lower()
    if protocol in ("-1", "all"):
        return "all traffic"
    low, high = (int(p) if isinstance(p, (int, float)) else p for p in (ingress.from_port, ingress.to_port))
    return f"{protocol} {low}" if low == high else f"{protocol} {low}-{high}"


def _https_only(ingress: Ingress) -> bool:
    return str(ingress.protocol).lower() in ("tcp", "6") and ingress.from_port == ingress.to_port == 443


def _data_store_groups(nodes: list[Node]) -> dict[str, Node]:
    """Security group URN -> the data store it protects (by property dependency)."""
    found: dict[str, Node] = {}
    for node in nodes:
        prop = t.DATA_STORE_SECURITY_GROUPS.get(node.type)
        for urn in node.property_dependencies.get(prop, []) if prop else []:
            found.setdefault(urn, node)
    return found


def _group_of(node: Node) -> str | None:
    """The URN of the security group an ingress belongs to."""
    if node.type in t.SECURITY_GROUPS:
        return node.urn
    return next(iter(node.property_dependencies.get("securityGroupId", [])), None)


@stack_rule(
    "security-group-no-world-ingress",
    "Security groups (and their separate ingress rules) admit the world (0.0.0.0/0, ::/0) only to HTTPS (tcp 443), and never to a data store",
    (*t.SECURITY_GROUPS, t.SECURITY_GROUP_RULE, t.SECURITY_GROUP_INGRESS_RULE, *t.DATA_STORE_SECURITY_GROUPS),
    MANDATORY,
    DOMAIN,
    config_schema=EXCEPTIONS_SCHEMA,
    defaults={"exceptions": {}},
)
def no_world_ingress(nodes: list[Node], config: Any) -> Iterable[tuple[str, str]]:
    stores = _data_store_groups(nodes)
    kinds = (*t.SECURITY_GROUPS, t.SECURITY_GROUP_RULE, t.SECURITY_GROUP_INGRESS_RULE)
    for node in (n for n in nodes if n.type in kinds):
        store = stores.get(_group_of(node) or "")
        for ingress in _ingresses(node):
            if UNKNOWN in (ingress.protocol, ingress.from_port, ingress.to_port, *ingress.cidrs):
                yield node.urn, f"{ingress.where} is unknown at preview, so its exposure cannot be verified"
                continue
            for cidr in (c for c in ingress.cidrs if c in WORLD):
                if store is not None:
                    short = store.type.split(":")[1].split("/")[0] + "." + store.type.rsplit(":", 1)[1]
                    yield (
                        node.urn,
                        f"{ingress.where} admits {cidr} to {_ports(ingress)} of data store {short} '{store.name}': "
                        "a data store is never open to the world",
                    )
                elif not _https_only(ingress):
                    yield (
                        node.urn,
                        f"{ingress.where} admits {cidr} to {_ports(ingress)}: only HTTPS (tcp 443) may be open to the world",
                    )


RULES = [
    no_public_resource_policy,
    s3_acl_not_public,
    not_publicly_accessible,
    lambda_not_public,
    api_route_authorized,
    emr_serverless_in_vpc,
    no_world_ingress,
]
