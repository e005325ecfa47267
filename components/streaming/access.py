"""What Firehose may do, as IAM statements built from plain ARNs (tested without Pulumi).

Firehose reads its one source (the Kinesis stream, or one topic of the MSK cluster), invokes its one
transform function, writes the table's location and the error prefix, uses the Glue table it writes
and the stack key only as S3, Kinesis and Glue use it for those resources. Statements follow AWS's
Firehose guide ("Controlling access": S3, Kinesis, Lambda, Glue, Iceberg and MSK sections).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .. import iam

Destination = Literal["iceberg", "parquet"]
LOG_STREAM = "DestinationDelivery"  # the log stream name Firehose's own console uses

# Iceberg commits read and rewrite metadata and may expire files; Parquet delivery only adds objects.
_TABLE_OBJECT_ACTIONS = {
    "iceberg": ["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
    "parquet": ["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"],
}
# Iceberg delivery reads and commits the table; format conversion only reads its schema.
_GLUE_ACTIONS = {
    "iceberg": ["glue:GetTable", "glue:GetDatabase", "glue:UpdateTable"],
    "parquet": ["glue:GetTable", "glue:GetTableVersion", "glue:GetTableVersions"],
}


@dataclass(frozen=True)
class GlueTable:
    """The catalog, database and table ARNs of one Glue table (Glue checks all three)."""

    partition: str
    region: str
    account_id: str
    database: str
    table: str

    @property
    def catalog_arn(self) -> str:
        return f"arn:{self.partition}:glue:{self.region}:{self.account_id}:catalog"

    @property
    def arns(self) -> list[str]:
        prefix = f"arn:{self.partition}:glue:{self.region}:{self.account_id}"
        return [self.catalog_arn, f"{prefix}:database/{self.database}", f"{prefix}:table/{self.database}/{self.table}"]


@dataclass(frozen=True)
class Location:
    """A prefix of a bucket: ``<bucket ARN>/<prefix>``."""

    bucket_arn: str
    prefix: str

    @property
    def objects(self) -> str:
        return f"{self.bucket_arn}/{self.prefix}*"


def firehose_trust_policy(account_id: str) -> list[iam.Statement]:
    """Firehose of this account only: AWS's Firehose guide scopes the trust with sts:ExternalId."""
    return [
        iam.allow(
            "TrustFirehoseOfThisAccount",
            ["sts:AssumeRole"],
            resources=None,
            principal=iam.service_principal("firehose.amazonaws.com"),
            conditions={"StringEquals": {"sts:ExternalId": account_id}},
        )
    ]


def kinesis_source(stream_arn: str, key_arn: str, region: str) -> list[iam.Statement]:
    """Read the one source stream, and decrypt only what Kinesis decrypts for that stream."""
    return [
        iam.allow(
            "ReadSourceStream",
            ["kinesis:DescribeStream", "kinesis:GetShardIterator", "kinesis:GetRecords", "kinesis:ListShards"],
            [stream_arn],
        ),
        iam.allow(
            "DecryptSourceStream",
            ["kms:Decrypt"],
            [key_arn],
            conditions={
                "StringEquals": {
                    "kms:ViaService": f"kinesis.{region}.amazonaws.com",
                    "kms:EncryptionContext:aws:kinesis:arn": stream_arn,
                }
            },
        ),
    ]


def msk_topic_arn(cluster_arn: str, topic: str) -> str:
    """``arn:...:topic/<cluster name>/<cluster uuid>/<topic>`` from the cluster's ARN."""
    return f"{cluster_arn.replace(':cluster/', ':topic/', 1)}/{topic}"


def msk_source(cluster_arn: str, topic: str) -> list[iam.Statement]:
    """Connect to the cluster and read one topic. Firehose names its own consumer group, so group
    access is read-only (DescribeGroup) on the cluster's groups."""
    groups = f"{cluster_arn.replace(':cluster/', ':group/', 1)}/*"
    return [
        iam.allow(
            "ConnectToSourceCluster",
            ["kafka:GetBootstrapBrokers", "kafka:DescribeCluster", "kafka:DescribeClusterV2", "kafka-cluster:Connect"],
            [cluster_arn],
        ),
        iam.allow(
            "ReadSourceTopic",
            [
                "kafka-cluster:DescribeTopic",
                "kafka-cluster:DescribeTopicDynamicConfiguration",
                "kafka-cluster:ReadData",
            ],
            [msk_topic_arn(cluster_arn, topic)],
        ),
        iam.allow("DescribeConsumerGroups", ["kafka-cluster:DescribeGroup"], [groups]),
    ]


def msk_cluster_policy(cluster_arn: str) -> list[iam.Statement]:
    """The cluster policy Firehose needs to open its private (multi-VPC) connection to the cluster."""
    return [
        iam.allow(
            "FirehoseCreatesItsVpcConnection",
            ["kafka:CreateVpcConnection"],
            [cluster_arn],
            principal=iam.service_principal("firehose.amazonaws.com"),
        )
    ]


def invoke_transform(function_arn: str) -> list[iam.Statement]:
    """Invoke the transform function (any version of it, as Firehose calls ``<arn>:$LATEST``)."""
    return [
        iam.allow(
            "InvokeTransform",
            ["lambda:InvokeFunction", "lambda:GetFunctionConfiguration"],
            [function_arn, f"{function_arn}:*"],
        )
    ]


def delivery(
    destination: Destination,
    table_location: Location,
    errors: Location,
    table: GlueTable,
    key_arn: str,
    log_stream_arn: str,
) -> list[iam.Statement]:
    """Write the table's files and the failed records, use the Glue table, and log delivery errors."""
    buckets = sorted({table_location.bucket_arn, errors.bucket_arn})
    return [
        iam.allow(
            "LocateBuckets",
            ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
            buckets,
        ),
        iam.allow("WriteTableFiles", _TABLE_OBJECT_ACTIONS[destination], [table_location.objects]),
        iam.allow("WriteFailedRecords", ["s3:AbortMultipartUpload", "s3:PutObject"], [errors.objects]),
        # The buckets use S3 Bucket Keys: S3 asks KMS with the bucket ARN as encryption context.
        iam.allow(
            "EncryptThroughS3",
            ["kms:GenerateDataKey", "kms:Decrypt"],
            [key_arn],
            conditions={
                "StringEquals": {
                    "kms:ViaService": f"s3.{table.region}.amazonaws.com",
                    "kms:EncryptionContext:aws:s3:arn": buckets,
                }
            },
        ),
        iam.allow("UseGlueTable", _GLUE_ACTIONS[destination], table.arns),
        # The foundation encrypts the Data Catalog with the stack key: reading (and committing) the
        # table's metadata goes through Glue's use of that key.
        iam.allow(
            "ReadCatalogThroughGlue",
            ["kms:Decrypt", "kms:GenerateDataKey"] if destination == "iceberg" else ["kms:Decrypt"],
            [key_arn],
            conditions={"StringEquals": {"kms:ViaService": f"glue.{table.region}.amazonaws.com"}},
        ),
        iam.allow("LogDeliveryErrors", ["logs:PutLogEvents"], [log_stream_arn]),
    ]


@dataclass(frozen=True)
class FirehoseGrants:
    """The plain decisions behind the delivery role: which source, which destination, which prefixes.

    ``statements`` turns them into the role's policy once the ARNs are known (``iam.document_from``).
    """

    source: Literal["kinesis", "msk"]
    destination: Destination
    table: str
    table_prefix: str
    error_prefix: str
    topic: str = ""

    def statements(
        self,
        partition: str,
        region: str,
        account_id: str,
        key_arn: str,
        source_arn: str,
        transform_arn: str,
        table_bucket_arn: str,
        error_bucket_arn: str,
        database: str,
        log_group_arn: str,
    ) -> list[iam.Statement]:
        read = (
            kinesis_source(source_arn, key_arn, region)
            if self.source == "kinesis"
            else msk_source(source_arn, self.topic)
        )
        write = delivery(
            self.destination,
            Location(table_bucket_arn, self.table_prefix),
            Location(error_bucket_arn, self.error_prefix),
            GlueTable(partition, region, account_id, database, self.table),
            key_arn,
            f"{log_group_arn}:log-stream:{LOG_STREAM}",
        )
        return [*read, *invoke_transform(transform_arn), *write]
