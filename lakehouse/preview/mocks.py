"""Pulumi mocks that look like AWS: realistic, deterministic ids and ARNs, and the invokes the
components call (caller identity, region, partition, availability zones).

Deterministic (hash of type and name) so that two plans of the same stack are identical and a
diff of ``lakehouse plan --format json`` shows only real changes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import pulumi
from google.protobuf import json_format
from pulumi.runtime.mocks import MockCallArgs, MockMonitor, MockResourceArgs
from pulumi_policy.deserialize import deserialize_properties

ACCOUNT_ID = "123456789012"

# Prefixes EC2 gives its ids.
_EC2_ID_PREFIX = {
    "Vpc": "vpc",
    "Subnet": "subnet",
    "RouteTable": "rtb",
    "RouteTableAssociation": "rtbassoc",
    "SecurityGroup": "sg",
    "DefaultSecurityGroup": "sg",
    "InternetGateway": "igw",
    "NatGateway": "nat",
    "Eip": "eipalloc",
    "VpcEndpoint": "vpce",
    "FlowLog": "fl",
    "Route": "r",
}


# DMS resources name their ARN output after the resource (replicationTaskArn, endpointArn, ...).
_DMS_ARNS = {
    "ReplicationInstance": ("replicationInstanceArn", "rep"),
    "Endpoint": ("endpointArn", "endpoint"),
    "S3Endpoint": ("endpointArn", "endpoint"),
    "ReplicationTask": ("replicationTaskArn", "task"),
    "ReplicationSubnetGroup": ("replicationSubnetGroupArn", "subgrp"),
    "ReplicationConfig": ("arn", "replication-config"),
}


def _digest(*parts: str, length: int = 17) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:length]


def _uuid(*parts: str) -> str:
    h = _digest(*parts, length=32)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


@dataclass
class AwsMocks(pulumi.runtime.Mocks):
    """Resource and invoke mocks for one region of one account."""

    region: str = "eu-west-1"
    account_id: str = ACCOUNT_ID
    partition: str = "aws"

    def new_resource(self, args: MockResourceArgs) -> tuple[str, dict[str, Any]]:
        if args.typ.startswith("pulumi:providers:"):
            return f"{args.name}-provider-id", dict(args.inputs)
        if not args.custom:  # component resources have no cloud identity
            return "", {}
        service, _, kind = args.typ.partition(":")[2].partition("/")
        cls = kind.split(":")[-1]
        state = dict(args.inputs)
        resource_id = self._id(service, cls, args.name, state)
        state.setdefault("arn", self._arn(service, cls, args.name, resource_id, state))
        self._computed(service, cls, resource_id, state)
        return resource_id, state

    def call(self, args: MockCallArgs) -> tuple[dict[str, Any], list]:
        token = args.token
        if token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                "accountId": self.account_id,
                "arn": f"arn:{self.partition}:iam::{self.account_id}:user/plan",
                "userId": "AIDAPLANUSER",
                "id": self.account_id,
            }, []
        if token == "aws:index/getRegion:getRegion":
            return {
                "name": self.region,
                "region": self.region,
                "id": self.region,
                "endpoint": f"ec2.{self.region}.amazonaws.com",
                "description": self.region,
            }, []
        if token == "aws:index/getPartition:getPartition":
            return {
                "partition": self.partition,
                "dnsSuffix": "amazonaws.com",
                "id": self.partition,
                "reverseDnsPrefix": "com.amazonaws",
            }, []
        if token == "aws:index/getAvailabilityZones:getAvailabilityZones":
            letters = "abc"
            return {
                "names": [f"{self.region}{x}" for x in letters],
                "zoneIds": [f"euw1-az{i + 1}" for i in range(len(letters))],
                "id": self.region,
            }, []
        return {}, []

    def _id(self, service: str, cls: str, name: str, state: dict[str, Any]) -> str:
        if service == "s3" and cls == "Bucket":
            return state.get("bucket") or f"{name}-{_digest(name, length=7)}"
        if service == "s3":
            return str(state.get("bucket", name))  # settings resources are identified by their bucket
        if service == "kms" and cls == "Key":
            return _uuid(service, cls, name)
        if service == "ec2" and cls in _EC2_ID_PREFIX:
            return f"{_EC2_ID_PREFIX[cls]}-0{_digest(service, cls, name)}"
        if service == "docdb" and cls == "Cluster" and state.get("clusterIdentifier"):
            return str(state["clusterIdentifier"])  # DocumentDB identifies a cluster by its identifier
        if "name" in state and isinstance(state["name"], str):
            return state["name"]
        return f"{name}-{_digest(service, cls, name, length=7)}"

    def _arn(self, service: str, cls: str, name: str, resource_id: str, state: dict[str, Any]) -> str:
        p, r, a = self.partition, self.region, self.account_id
        if service == "s3":
            return f"arn:{p}:s3:::{resource_id}"
        if service == "iam":
            return f"arn:{p}:iam::{a}:{cls.lower()}/{resource_id}"
        if service == "kms" and cls == "Key":
            return f"arn:{p}:kms:{r}:{a}:key/{resource_id}"
        if service == "kms" and cls == "Alias":
            return f"arn:{p}:kms:{r}:{a}:{resource_id}"
        if service == "cloudwatch" and cls == "LogGroup":
            return f"arn:{p}:logs:{r}:{a}:log-group:{resource_id}"
        if service == "glue" and cls == "CatalogDatabase":
            return f"arn:{p}:glue:{r}:{a}:database/{resource_id}"
        if service == "ec2":
            return f"arn:{p}:ec2:{r}:{a}:{cls.lower()}/{resource_id}"
        if service == "docdb" and cls == "Cluster":
            return f"arn:{p}:rds:{r}:{a}:cluster:{resource_id}"  # DocumentDB clusters are RDS resources
        return f"arn:{p}:{service}:{r}:{a}:{cls[0].lower() + cls[1:]}/{resource_id}"

    def _computed(self, service: str, cls: str, resource_id: str, state: dict[str, Any]) -> None:
        """Outputs that components read which are not inputs."""
        if service == "s3" and cls == "Bucket":
            state.setdefault("bucket", resource_id)
            state["bucketDomainName"] = f"{resource_id}.s3.amazonaws.com"
            state["bucketRegionalDomainName"] = f"{resource_id}.s3.{self.region}.amazonaws.com"
        elif service == "kms" and cls == "Key":
            state["keyId"] = resource_id
        elif service == "docdb" and cls == "Cluster":
            suffix = _digest(service, cls, resource_id, length=12)
            state["endpoint"] = f"{resource_id}.cluster-{suffix}.{self.region}.docdb.amazonaws.com"
            state["readerEndpoint"] = f"{resource_id}.cluster-ro-{suffix}.{self.region}.docdb.amazonaws.com"
            if state.get("manageMasterUserPassword"):  # DocumentDB creates the master user's secret
                where = f"{self.partition}:secretsmanager:{self.region}:{self.account_id}"
                secret = f"rds!cluster-{_uuid(service, cls, resource_id)}-{_digest('secret', resource_id, length=6)}"
                state["masterUserSecrets"] = [
                    {
                        "secretArn": f"arn:{where}:secret:{secret}",
                        "kmsKeyId": f"arn:{self.partition}:kms:{self.region}:{self.account_id}:alias/aws/secretsmanager",
                        "secretStatus": "active",
                    }
                ]
        elif service == "dms" and cls in _DMS_ARNS:
            output, kind = _DMS_ARNS[cls]
            suffix = state.get("resourceIdentifier") or resource_id
            state[output] = f"arn:{self.partition}:dms:{self.region}:{self.account_id}:{kind}:{suffix}"
        # Auto-named resources (a Lambda function, a queue, ...) get their id as name, as AWS gives one,
        # so inputs built from ``.name`` keep their value and their reference in the plan.
        state.setdefault("name", resource_id)


@dataclass(frozen=True)
class Registered:
    """One resource as the engine saw it: URN, type, name, parent, its (camelCase) inputs, and
    the URNs it depends on (per property too), which stack policies use to match resources; and,
    as the mocks made them, its id and outputs (ARNs), which the offline access evaluation reads."""

    urn: str
    type: str
    name: str
    parent: str | None
    custom: bool
    inputs: dict[str, Any] = field(default_factory=dict)
    dependencies: list[str] = field(default_factory=list)
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    id: str = ""
    outputs: dict[str, Any] = field(default_factory=dict)


class RecordingMonitor(MockMonitor):
    """A mock monitor that also remembers each registration's parent and inputs, in order."""

    def __init__(self, mocks: pulumi.runtime.Mocks):
        super().__init__(mocks)
        self.registered: list[Registered] = []

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)
        if request.type != "pulumi:pulumi:Stack":
            # Deserialized the way the policy analyzer does it, so unknowns look the same to rules.
            inputs = deserialize_properties(json_format.MessageToDict(request.object))
            self.registered.append(
                Registered(
                    urn=response.urn,
                    type=request.type,
                    name=request.name,
                    parent=request.parent or None,
                    custom=bool(request.custom),
                    inputs=inputs,
                    dependencies=list(request.dependencies),
                    property_dependencies={k: list(v.urns) for k, v in request.propertyDependencies.items()},
                    id=response.id,
                    outputs=deserialize_properties(json_format.MessageToDict(response.object)),
                )
            )
        return response
