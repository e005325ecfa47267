"""Network: a private VPC for the lake's compute (Glue, Lambda, DocumentDB, MSK, DMS).

Private subnets in two or three AZs, an S3 gateway endpoint (free, keeps lake traffic off the
internet), interface endpoints for the AWS APIs jobs call, a locked-down default security group,
and flow logs to an encrypted log group. A NAT gateway only when asked: it costs money every hour.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi_aws import ec2, get_availability_zones_output

from .. import iam
from ..logs import encrypted_log_group
from ..roles import role_with_policy
from ..tagging import with_name
from .config import VpcConfig

HTTPS = 443


@dataclass(frozen=True)
class SubnetPlan:
    private: list[str]
    public: list[str]


def plan_subnets(cidr: str, availability_zones: int, with_public: bool) -> SubnetPlan:
    """Split the VPC into eight equal blocks: private subnets first, then public ones (if any).

    Fixed positions keep each subnet's CIDR stable when the AZ count or the NAT option changes.
    """
    blocks = [str(block) for block in ipaddress.IPv4Network(cidr).subnets(prefixlen_diff=3)]
    private = blocks[:availability_zones]
    public = blocks[4 : 4 + availability_zones] if with_public else []
    return SubnetPlan(private=private, public=public)


class Network(pulumi.ComponentResource):
    """The VPC, its subnets and endpoints; exposes ``vpc``, ``private_subnet_ids`` and
    ``compute_security_group`` for the components that run inside it."""

    def __init__(
        self,
        name: str,
        config: VpcConfig,
        *,
        tags: Mapping[str, str],
        region: pulumi.Input[str],
        account_id: pulumi.Input[str],
        key_arn: pulumi.Input[str],
        log_retention_days: int,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("lakehouse:foundation:Network", name, None, opts)
        plan = plan_subnets(config.cidr, config.availability_zones, config.nat_gateway)
        child = pulumi.ResourceOptions(parent=self)
        zones = get_availability_zones_output(state="available", opts=pulumi.InvokeOutputOptions(parent=self))

        self.vpc = ec2.Vpc(
            f"{name}-vpc",
            cidr_block=config.cidr,
            enable_dns_support=True,
            enable_dns_hostnames=True,  # interface endpoints need private DNS
            tags=with_name(tags, f"{name}-vpc"),
            opts=child,
        )
        # The default security group allows all traffic between its members: strip every rule.
        ec2.DefaultSecurityGroup(
            f"{name}-default-sg",
            vpc_id=self.vpc.id,
            ingress=[],
            egress=[],
            tags=with_name(tags, f"{name}-default"),
            opts=child,
        )

        self.private_subnets = [
            ec2.Subnet(
                f"{name}-private-{index}",
                vpc_id=self.vpc.id,
                cidr_block=cidr,
                availability_zone=zones.names[index],
                map_public_ip_on_launch=False,
                tags=with_name(tags, f"{name}-private-{index}", tier="private"),
                opts=child,
            )
            for index, cidr in enumerate(plan.private)
        ]
        private_routes = ec2.RouteTable(
            f"{name}-private-rt", vpc_id=self.vpc.id, tags=with_name(tags, f"{name}-private"), opts=child
        )
        for index, subnet in enumerate(self.private_subnets):
            ec2.RouteTableAssociation(
                f"{name}-private-rta-{index}", subnet_id=subnet.id, route_table_id=private_routes.id, opts=child
            )
        if config.nat_gateway:
            self._nat_gateway(name, plan, zones, private_routes, tags, child)

        ec2.VpcEndpoint(
            f"{name}-s3",
            vpc_id=self.vpc.id,
            service_name=pulumi.Output.concat("com.amazonaws.", region, ".s3"),
            vpc_endpoint_type="Gateway",
            route_table_ids=[private_routes.id],
            tags=with_name(tags, f"{name}-s3"),
            opts=child,
        )
        self.endpoint_security_group = ec2.SecurityGroup(
            f"{name}-endpoints-sg",
            vpc_id=self.vpc.id,
            description="HTTPS from inside the VPC to AWS interface endpoints",
            ingress=[
                {
                    "protocol": "tcp",
                    "from_port": HTTPS,
                    "to_port": HTTPS,
                    "cidr_blocks": [config.cidr],
                    "description": "HTTPS from the VPC",
                }
            ],
            egress=[],
            tags=with_name(tags, f"{name}-endpoints"),
            opts=child,
        )
        for service in config.interface_endpoints:
            ec2.VpcEndpoint(
                f"{name}-{service}",
                vpc_id=self.vpc.id,
                service_name=pulumi.Output.concat("com.amazonaws.", region, f".{service}"),
                vpc_endpoint_type="Interface",
                private_dns_enabled=True,
                subnet_ids=[subnet.id for subnet in self.private_subnets],
                security_group_ids=[self.endpoint_security_group.id],
                tags=with_name(tags, f"{name}-{service}"),
                opts=child,
            )
        self.compute_security_group = ec2.SecurityGroup(
            f"{name}-compute-sg",
            vpc_id=self.vpc.id,
            description="Lake compute: members talk to each other (Glue requires it) and reach AWS over HTTPS",
            ingress=[{"protocol": "-1", "from_port": 0, "to_port": 0, "self": True, "description": "Between members"}],
            egress=[
                {"protocol": "-1", "from_port": 0, "to_port": 0, "self": True, "description": "Between members"},
                {
                    "protocol": "tcp",
                    "from_port": HTTPS,
                    "to_port": HTTPS,
                    "cidr_blocks": ["0.0.0.0/0"],
                    "description": "HTTPS to AWS APIs via endpoints or NAT",
                },
            ],
            tags=with_name(tags, f"{name}-compute"),
            opts=child,
        )
        self._flow_logs(name, tags, account_id, key_arn, log_retention_days, child)

        self.private_subnet_ids = pulumi.Output.all(*[subnet.id for subnet in self.private_subnets])
        self.register_outputs(
            {
                "vpc_id": self.vpc.id,
                "private_subnet_ids": self.private_subnet_ids,
                "compute_security_group_id": self.compute_security_group.id,
            }
        )

    def _nat_gateway(
        self,
        name: str,
        plan: SubnetPlan,
        zones: Any,
        private_routes: ec2.RouteTable,
        tags: Mapping[str, str],
        child: pulumi.ResourceOptions,
    ) -> None:
        """One NAT gateway in the first public subnet: outbound internet for private subnets."""
        gateway = ec2.InternetGateway(
            f"{name}-igw", vpc_id=self.vpc.id, tags=with_name(tags, f"{name}-igw"), opts=child
        )
        public = ec2.Subnet(
            f"{name}-public-0",
            vpc_id=self.vpc.id,
            cidr_block=plan.public[0],
            availability_zone=zones.names[0],
            map_public_ip_on_launch=False,  # only the NAT gateway lives here, with its own Elastic IP
            tags=with_name(tags, f"{name}-public-0", tier="public"),
            opts=child,
        )
        public_routes = ec2.RouteTable(
            f"{name}-public-rt",
            vpc_id=self.vpc.id,
            routes=[{"cidr_block": "0.0.0.0/0", "gateway_id": gateway.id}],
            tags=with_name(tags, f"{name}-public"),
            opts=child,
        )
        ec2.RouteTableAssociation(
            f"{name}-public-rta-0", subnet_id=public.id, route_table_id=public_routes.id, opts=child
        )
        address = ec2.Eip(f"{name}-nat-eip", domain="vpc", tags=with_name(tags, f"{name}-nat"), opts=child)
        nat = ec2.NatGateway(
            f"{name}-nat",
            allocation_id=address.id,
            subnet_id=public.id,
            tags=with_name(tags, f"{name}-nat"),
            opts=child,
        )
        ec2.Route(
            f"{name}-private-default",
            route_table_id=private_routes.id,
            destination_cidr_block="0.0.0.0/0",
            nat_gateway_id=nat.id,
            opts=child,
        )

    def _flow_logs(
        self,
        name: str,
        tags: Mapping[str, str],
        account_id: Any,
        key_arn: Any,
        retention: int,
        child: pulumi.ResourceOptions,
    ) -> None:
        """All traffic of the VPC to an encrypted CloudWatch log group, via a role scoped to it."""
        group = encrypted_log_group(
            f"{name}-flow-logs",
            key_arn=key_arn,
            retention_days=retention,
            tags=with_name(tags, f"{name}-flow-logs"),
            opts=child,
        )
        role, _ = role_with_policy(
            f"{name}-flow-logs-role",
            policy_resource_name=f"{name}-flow-logs-write",
            assume_role_policy=iam.assume_role_policy("vpc-flow-logs.amazonaws.com", account_id),
            policy=iam.document(
                iam.allow(
                    "WriteFlowLogs",
                    ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                    [group.arn, pulumi.Output.concat(group.arn, ":*")],
                )
            ),
            tags=with_name(tags, f"{name}-flow-logs"),
            opts=child,
        )
        ec2.FlowLog(
            f"{name}-flow-log",
            vpc_id=self.vpc.id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=group.arn,
            iam_role_arn=role.arn,
            tags=with_name(tags, f"{name}-flow-log"),
            opts=child,
        )
