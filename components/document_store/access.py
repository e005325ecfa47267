"""What the document processor may do, as IAM statements built from plain ARNs (tested without Pulumi).

It reads its one secret, writes only ``bronze/documents/`` of the raw bucket, and reads its one
source: the documents stream, or one topic of the MSK cluster as one consumer group. The stack key,
its log stream, X-Ray, its dead-letter queue and its network interfaces come with
:class:`components.lambda_function.PythonFunction`.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import iam

LAKE_PREFIX = "bronze/documents/"  # the processor's objects, rejects included (bronze/documents/_errors/)
KINESIS_READ = [
    "kinesis:DescribeStream",
    "kinesis:DescribeStreamSummary",
    "kinesis:GetRecords",
    "kinesis:GetShardIterator",
    "kinesis:ListShards",
]


@dataclass(frozen=True)
class KafkaTopic:
    """One topic of an MSK cluster and the consumer group reading it, as IAM resources.

    ``arn:<p>:kafka:<region>:<account>:cluster/<name>/<uuid>`` names the cluster; its topics and
    groups are ``topic/<name>/<uuid>/<topic>`` and ``group/<name>/<uuid>/<group>``.
    """

    cluster_arn: str
    topic: str
    group: str

    def _child(self, kind: str, name: str) -> str:
        prefix, _, path = self.cluster_arn.partition(":cluster/")
        return f"{prefix}:{kind}/{path}/{name}"

    @property
    def topic_arn(self) -> str:
        return self._child("topic", self.topic)

    @property
    def group_arn(self) -> str:
        return self._child("group", self.group)


def processor_statements(secret_arn: str, raw_bucket_arn: str) -> list[iam.Statement]:
    """The store's credentials and the lake prefix: the same whatever the source."""
    return [
        iam.allow("ReadStoreSecret", ["secretsmanager:GetSecretValue"], [secret_arn]),
        iam.allow("WriteDocumentsToTheLake", ["s3:PutObject"], [f"{raw_bucket_arn}/{LAKE_PREFIX}*"]),
    ]


def kinesis_statements(stream_arn: str) -> list[iam.Statement]:
    """What Lambda's event source mapping needs of the stream (AWS's Kinesis-with-Lambda guide)."""
    return [iam.allow("ReadDocumentsStream", KINESIS_READ, [stream_arn])]


def msk_statements(topic: KafkaTopic) -> list[iam.Statement]:
    """What Lambda's event source mapping needs to consume one topic with IAM auth (AWS's MSK-with-Lambda
    guide and MSK's IAM access control)."""
    return [
        iam.allow(
            "FindTheCluster",
            ["kafka:DescribeClusterV2", "kafka:GetBootstrapBrokers"],
            [topic.cluster_arn],
        ),
        iam.allow(
            "ConnectToTheCluster",
            ["kafka-cluster:Connect", "kafka-cluster:DescribeClusterDynamicConfiguration"],
            [topic.cluster_arn],
        ),
        iam.allow("ReadTheTopic", ["kafka-cluster:DescribeTopic", "kafka-cluster:ReadData"], [topic.topic_arn]),
        iam.allow(
            "UseTheConsumerGroup", ["kafka-cluster:DescribeGroup", "kafka-cluster:AlterGroup"], [topic.group_arn]
        ),
        # The event pollers look up the cluster's VPC, subnets and security groups; these EC2 Describe
        # actions have no resource-level permissions, so AWS accepts only "*".
        iam.allow(
            "DescribeTheClusterNetwork", ["ec2:DescribeVpcs", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups"], "*"
        ),
    ]
