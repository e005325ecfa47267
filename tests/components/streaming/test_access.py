"""Firehose's statements, built from plain ARNs: one source, one function, two prefixes, one table."""

from __future__ import annotations

from components.streaming.access import FirehoseGrants, firehose_trust_policy, msk_cluster_policy, msk_topic_arn

KEY = "arn:aws:kms:eu-west-1:123456789012:key/k-1"
STREAM = "arn:aws:kinesis:eu-west-1:123456789012:stream/lake-clickstream"
CLUSTER = "arn:aws:kafka:eu-west-1:123456789012:cluster/lake-clickstream/1111-2222-3"
FUNCTION = "arn:aws:lambda:eu-west-1:123456789012:function:lake-stream-transform"
PROCESSED = "arn:aws:s3:::lake-processed"
RAW = "arn:aws:s3:::lake-raw"
LOGS = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/kinesisfirehose/lake-clickstream"


def statements(source: str, destination: str, source_arn: str) -> dict[str, dict]:
    grants = FirehoseGrants(
        source=source,
        destination=destination,
        table="clickstream_events",
        table_prefix="clickstream_events/",
        error_prefix="errors/clickstream_events/",
        topic="clickstream",
    )
    built = grants.statements(
        "aws", "eu-west-1", "123456789012", KEY, source_arn, FUNCTION, PROCESSED, RAW, "lake_silver", LOGS
    )
    return {s["Sid"]: s for s in built}


def test_kinesis_source_reads_one_stream_and_decrypts_only_through_kinesis():
    grants = statements("kinesis", "iceberg", STREAM)
    assert grants["ReadSourceStream"]["Resource"] == [STREAM]
    assert grants["DecryptSourceStream"]["Condition"] == {
        "StringEquals": {
            "kms:ViaService": "kinesis.eu-west-1.amazonaws.com",
            "kms:EncryptionContext:aws:kinesis:arn": STREAM,
        }
    }
    assert "ConnectToSourceCluster" not in grants


def test_msk_source_reads_one_topic_of_the_cluster():
    grants = statements("msk", "iceberg", CLUSTER)
    assert grants["ConnectToSourceCluster"]["Resource"] == [CLUSTER]
    assert grants["ReadSourceTopic"]["Resource"] == [
        "arn:aws:kafka:eu-west-1:123456789012:topic/lake-clickstream/1111-2222-3/clickstream"
    ]
    assert grants["ReadSourceTopic"]["Action"] == [
        "kafka-cluster:DescribeTopic",
        "kafka-cluster:DescribeTopicDynamicConfiguration",
        "kafka-cluster:ReadData",
    ]
    assert grants["DescribeConsumerGroups"]["Resource"] == [
        "arn:aws:kafka:eu-west-1:123456789012:group/lake-clickstream/1111-2222-3/*"
    ]
    assert "ReadSourceStream" not in grants


def test_transform_is_invoked_by_arn_and_its_versions():
    grants = statements("kinesis", "iceberg", STREAM)
    assert grants["InvokeTransform"]["Resource"] == [FUNCTION, f"{FUNCTION}:*"]


def test_iceberg_writes_the_table_location_and_commits_through_glue():
    grants = statements("kinesis", "iceberg", STREAM)
    assert grants["WriteTableFiles"]["Resource"] == ["arn:aws:s3:::lake-processed/clickstream_events/*"]
    assert "s3:DeleteObject" in grants["WriteTableFiles"]["Action"]
    assert grants["WriteFailedRecords"]["Resource"] == ["arn:aws:s3:::lake-raw/errors/clickstream_events/*"]
    assert grants["UseGlueTable"]["Action"] == ["glue:GetTable", "glue:GetDatabase", "glue:UpdateTable"]
    assert grants["UseGlueTable"]["Resource"] == [
        "arn:aws:glue:eu-west-1:123456789012:catalog",
        "arn:aws:glue:eu-west-1:123456789012:database/lake_silver",
        "arn:aws:glue:eu-west-1:123456789012:table/lake_silver/clickstream_events",
    ]


def test_parquet_only_adds_objects_and_reads_the_schema():
    grants = statements("kinesis", "parquet", STREAM)
    assert grants["WriteTableFiles"]["Action"] == ["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"]
    assert grants["UseGlueTable"]["Action"] == ["glue:GetTable", "glue:GetTableVersion", "glue:GetTableVersions"]
    assert grants["ReadCatalogThroughGlue"]["Action"] == ["kms:Decrypt"]


def test_key_is_used_through_s3_only_for_the_two_buckets():
    grants = statements("kinesis", "iceberg", STREAM)
    assert grants["EncryptThroughS3"]["Condition"] == {
        "StringEquals": {
            "kms:ViaService": "s3.eu-west-1.amazonaws.com",
            "kms:EncryptionContext:aws:s3:arn": [PROCESSED, RAW],
        }
    }


def test_delivery_errors_go_to_one_log_stream():
    grants = statements("kinesis", "iceberg", STREAM)
    assert grants["LogDeliveryErrors"]["Resource"] == [f"{LOGS}:log-stream:DestinationDelivery"]


def test_trust_is_firehose_of_this_account():
    (trust,) = firehose_trust_policy("123456789012")
    assert trust["Principal"] == {"Service": "firehose.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"sts:ExternalId": "123456789012"}}
    assert "Resource" not in trust


def test_cluster_policy_lets_firehose_open_its_private_connection_only():
    (statement,) = msk_cluster_policy(CLUSTER)
    assert statement["Principal"] == {"Service": "firehose.amazonaws.com"}
    assert statement["Action"] == ["kafka:CreateVpcConnection"]
    assert statement["Resource"] == [CLUSTER]


def test_topic_arn_follows_the_cluster_arn():
    assert msk_topic_arn(CLUSTER, "t") == "arn:aws:kafka:eu-west-1:123456789012:topic/lake-clickstream/1111-2222-3/t"
