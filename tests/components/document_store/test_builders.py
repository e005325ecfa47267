"""The document store's pure decisions, without Pulumi: IAM statements, cluster settings, windows."""

from __future__ import annotations

import pytest
from pulumi_aws.docdb.outputs import ClusterMasterUserSecret

from components.document_store import access, cluster_settings
from components.document_store.config import DocumentStoreConfig, windows_overlap

CLUSTER = (
    "arn:aws:kafka:eu-west-1:123456789012:cluster/lakehouse-prod-clickstream/6e0a7c1e-1111-2222-3333-444455556666-2"
)


def test_kafka_topic_and_group_arns_sit_under_the_cluster():
    topic = access.KafkaTopic(CLUSTER, "documents", "lakehouse-prod-document-processor")
    assert topic.topic_arn == (
        "arn:aws:kafka:eu-west-1:123456789012:topic/lakehouse-prod-clickstream/"
        "6e0a7c1e-1111-2222-3333-444455556666-2/documents"
    )
    assert topic.group_arn == (
        "arn:aws:kafka:eu-west-1:123456789012:group/lakehouse-prod-clickstream/"
        "6e0a7c1e-1111-2222-3333-444455556666-2/lakehouse-prod-document-processor"
    )


def test_processor_statements_name_the_secret_and_the_documents_prefix():
    assert access.processor_statements("arn:secret", "arn:aws:s3:::raw") == [
        {
            "Sid": "ReadStoreSecret",
            "Effect": "Allow",
            "Action": ["secretsmanager:GetSecretValue"],
            "Resource": ["arn:secret"],
        },
        {
            "Sid": "WriteDocumentsToTheLake",
            "Effect": "Allow",
            "Action": ["s3:PutObject"],
            "Resource": ["arn:aws:s3:::raw/bronze/documents/*"],
        },
    ]


def test_kinesis_statements_read_one_stream_without_subscribing_or_listing_all():
    (statement,) = access.kinesis_statements("arn:stream")
    assert statement["Resource"] == ["arn:stream"]
    assert statement["Action"] == [
        "kinesis:DescribeStream",
        "kinesis:DescribeStreamSummary",
        "kinesis:GetRecords",
        "kinesis:GetShardIterator",
        "kinesis:ListShards",
    ]


def test_msk_statements_scope_every_kafka_action_to_the_cluster_topic_or_group():
    statements = {s["Sid"]: s for s in access.msk_statements(access.KafkaTopic(CLUSTER, "documents", "g"))}
    assert {sid: s["Resource"] for sid, s in statements.items()} == {
        "FindTheCluster": [CLUSTER],
        "ConnectToTheCluster": [CLUSTER],
        "ReadTheTopic": [access.KafkaTopic(CLUSTER, "documents", "g").topic_arn],
        "UseTheConsumerGroup": [access.KafkaTopic(CLUSTER, "documents", "g").group_arn],
        "DescribeTheClusterNetwork": "*",
    }


def test_parameters_require_tls_and_audit_and_profile_slow_operations():
    assert cluster_settings.parameters(DocumentStoreConfig(profiler_threshold_ms=75)) == [
        {"name": "tls", "value": "enabled"},
        {"name": "audit_logs", "value": "enabled"},
        {"name": "profiler", "value": "enabled"},
        {"name": "profiler_threshold_ms", "value": "75"},
    ]


def test_log_groups_are_where_documentdb_writes_its_exports():
    assert (
        cluster_settings.log_group_name("lakehouse-prod-documents", "audit")
        == "/aws/docdb/lakehouse-prod-documents/audit"
    )


def test_deletion_settings_name_a_final_snapshot_only_when_one_is_kept():
    assert cluster_settings.deletion_settings("c", DocumentStoreConfig()) == {
        "deletion_protection": True,
        "skip_final_snapshot": False,
        "final_snapshot_identifier": "c-final",
    }
    assert cluster_settings.deletion_settings(
        "c", DocumentStoreConfig(final_snapshot=False, deletion_protection=False)
    ) == {
        "deletion_protection": False,
        "skip_final_snapshot": True,
    }


def test_the_managed_secret_is_the_first_master_user_secret():
    secret = ClusterMasterUserSecret(
        secret_arn="arn:aws:secretsmanager:r:a:secret:rds!cluster-x", secret_status="active"
    )
    assert cluster_settings.managed_secret_arn([secret]) == "arn:aws:secretsmanager:r:a:secret:rds!cluster-x"
    assert cluster_settings.managed_secret_arn(None) is None


@pytest.mark.parametrize(
    ("backup", "maintenance", "overlap"),
    [
        ("02:00-03:00", "sun:04:00-sun:05:00", False),
        ("02:00-03:00", "sun:02:30-sun:03:30", True),
        ("02:00-03:00", "wed:03:00-wed:04:00", False),  # touching ends do not overlap
        ("23:30-00:30", "mon:00:00-mon:01:00", True),  # the backup window passes midnight
        ("01:00-02:00", "sun:23:30-mon:01:30", True),  # the maintenance window passes the week's end
        ("05:00-06:00", "sat:23:00-sun:04:59", False),
    ],
)
def test_backup_and_maintenance_windows_overlap_only_when_they_share_minutes(backup, maintenance, overlap):
    assert windows_overlap(backup, maintenance) is overlap
