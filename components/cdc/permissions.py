"""What DMS may do, as IAM statements: pure functions of plain ARNs and names, tested without Pulumi.

Four roles. The bronze writer (the S3 target's service access role) writes under ``dms/`` of the
raw bucket and nothing else; the secret reader (the source endpoint's Secrets Manager access role)
reads the one source secret. The two account roles DMS looks up by name, ``dms-vpc-role`` and
``dms-cloudwatch-logs-role``, get what AWS's managed policies for them grant, written out and
narrowed to the lake's subnets and this account's DMS log groups (the platform attaches no
AWS-managed policy).
"""

from __future__ import annotations

from collections.abc import Sequence

from .. import iam
from .layout import bronze_prefix

VPC_ROLE = "dms-vpc-role"
LOGS_ROLE = "dms-cloudwatch-logs-role"
# Log group name patterns of DMS tasks and DMS Serverless replications.
DMS_LOG_GROUPS = ("dms-tasks-*", "dms-serverless-replication-*")


def dms_trust(region: str, account_id: str) -> iam.Statement:
    """DMS of this account. Secrets Manager access roles must trust the regional DMS principal too."""
    return iam.allow(
        "TrustDms",
        ["sts:AssumeRole"],
        None,
        principal=iam.service_principal("dms.amazonaws.com", f"dms.{region}.amazonaws.com"),
        conditions={"StringEquals": {"aws:SourceAccount": account_id}},
    )


def bronze_writer(bucket_arn: str, key_arn: str, region: str) -> list[iam.Statement]:
    """Write the contract's files under ``dms/`` of the raw bucket, encrypted with the stack key."""
    return [
        iam.allow(
            "WriteBronze",
            ["s3:PutObject", "s3:PutObjectTagging", "s3:DeleteObject"],
            [f"{bucket_arn}/{bronze_prefix()}*"],
        ),
        # DMS lists the target bucket and reads its location when it checks the endpoint; a listing
        # shows key names, never object contents.
        iam.allow("LocateRawBucket", ["s3:ListBucket", "s3:GetBucketLocation"], [bucket_arn]),
        iam.allow(
            "EncryptBronze",
            ["kms:GenerateDataKey", "kms:Decrypt"],
            [key_arn],
            conditions={"StringEquals": {"kms:ViaService": f"s3.{region}.amazonaws.com"}},
        ),
    ]


def secret_reader(secret_arn: str, secret_key_arn: str | None, region: str) -> list[iam.Statement]:
    """Read the source's connection secret (and decrypt it through Secrets Manager, when a
    customer-managed key encrypts it; the AWS-managed key needs no grant)."""
    statements = [
        iam.allow("ReadSourceSecret", ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], [secret_arn])
    ]
    if secret_key_arn is not None:
        statements.append(
            iam.allow(
                "DecryptSourceSecret",
                ["kms:Decrypt"],
                [secret_key_arn],
                conditions={"StringEquals": {"kms:ViaService": f"secretsmanager.{region}.amazonaws.com"}},
            )
        )
    return statements


def vpc_management(
    partition: str, region: str, account_id: str, subnet_ids: Sequence[str], security_group_id: str
) -> list[iam.Statement]:
    """``dms-vpc-role``: what AWS's AmazonDMSVPCManagementRole grants, narrowed to the lake's network.

    DMS creates a replication's network interfaces in the subnets of its subnet group, with the
    replication's security group. EC2 authorizes CreateNetworkInterface on the subnet, the security
    group and the new interface, so those are named; the interface actions hold for interfaces in
    those subnets only (the ``ec2:Subnet`` condition key of the network-interface resource). A
    replication in other subnets of the account needs its own grants on this role.
    """
    ec2 = f"arn:{partition}:ec2:{region}:{account_id}"
    subnets = [f"{ec2}:subnet/{subnet}" for subnet in subnet_ids]
    group = f"{ec2}:security-group/{security_group_id}"
    return [
        # The Describe actions have no resource type: AWS authorizes them on "*" only.
        iam.allow(
            "DescribeNetwork",
            [
                "ec2:DescribeAvailabilityZones",
                "ec2:DescribeDhcpOptions",
                "ec2:DescribeInternetGateways",
                "ec2:DescribeNetworkInterfaces",
                "ec2:DescribeSecurityGroups",
                "ec2:DescribeSubnets",
                "ec2:DescribeVpcs",
            ],
            "*",
        ),
        iam.allow("CreateInterfacesInLakeSubnets", ["ec2:CreateNetworkInterface"], [*subnets, group]),
        iam.allow("SetReplicationSecurityGroup", ["ec2:ModifyNetworkInterfaceAttribute"], [group]),
        iam.allow(
            "ManageInterfacesInLakeSubnets",
            ["ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:ModifyNetworkInterfaceAttribute"],
            [f"{ec2}:network-interface/*"],
            conditions={"ArnEquals": {"ec2:Subnet": subnets}},
        ),
    ]


def task_logging(partition: str, region: str, account_id: str) -> list[iam.Statement]:
    """``dms-cloudwatch-logs-role``: DMS's log groups of this account and region, and their streams."""
    groups = [f"arn:{partition}:logs:{region}:{account_id}:log-group:{pattern}" for pattern in DMS_LOG_GROUPS]
    return [
        # DescribeLogGroups is not scoped to a log group: AWS authorizes it on "*" only.
        iam.allow("FindLogGroups", ["logs:DescribeLogGroups"], "*"),
        iam.allow("UseDmsLogGroups", ["logs:CreateLogGroup", "logs:DescribeLogStreams"], groups),
        iam.allow(
            "WriteDmsLogStreams",
            ["logs:CreateLogStream", "logs:PutLogEvents"],
            [f"{group}:log-stream:*" for group in groups],
        ),
    ]
