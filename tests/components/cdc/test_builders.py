"""The CDC component's pure decisions, without Pulumi: names, table mappings, task settings, IAM."""

from __future__ import annotations

from components.cdc import layout, permissions, replication

BUCKET = "arn:aws:s3:::lakehouse-prod-raw"
KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:lakehouse/saas-AbC123"


def test_names_derive_from_the_prefix():
    names = replication.DmsNames("lakehouse-prod")
    assert (names.replication, names.source_endpoint, names.target_endpoint) == (
        "lakehouse-prod-cdc",
        "lakehouse-prod-cdc-source",
        "lakehouse-prod-cdc-bronze",
    )
    assert names.log_group("instance") == "dms-tasks-lakehouse-prod-cdc"
    assert names.log_group("serverless") == "dms-serverless-replication-lakehouse-prod-cdc"
    assert names.invalid() == []


def test_a_prefix_with_a_double_hyphen_makes_identifiers_dms_refuses():
    assert replication.DmsNames("acme--dev").invalid() == [
        "acme--dev-cdc",
        "acme--dev-cdc-source",
        "acme--dev-cdc-bronze",
    ]


def test_table_mappings_include_each_table_of_the_public_schema_by_name():
    assert replication.table_mappings(["core_tenant", "core_order"]) == {
        "rules": [
            {
                "rule-type": "selection",
                "rule-id": "1",
                "rule-name": "include-core_tenant",
                "object-locator": {"schema-name": "public", "table-name": "core_tenant"},
                "rule-action": "include",
            },
            {
                "rule-type": "selection",
                "rule-id": "2",
                "rule-name": "include-core_order",
                "object-locator": {"schema-name": "public", "table-name": "core_order"},
                "rule-action": "include",
            },
        ]
    }


def test_task_settings_log_every_component_and_never_drop_bronze():
    settings = replication.task_settings()
    assert settings["Logging"]["EnableLogging"] is True
    assert [c["Id"] for c in settings["Logging"]["LogComponents"]] == [
        "SOURCE_UNLOAD",
        "SOURCE_CAPTURE",
        "TARGET_LOAD",
        "TARGET_APPLY",
        "TASK_MANAGER",
    ]
    assert settings["FullLoadSettings"] == {"TargetTablePrepMode": "DO_NOTHING"}
    assert settings["TargetMetadata"]["LimitedSizeLobMode"] is True


def test_target_settings_keep_cdc_files_beside_the_load_files():
    settings = layout.target_settings(60, 32000)
    assert settings["bucket_folder"] == "dms"
    assert settings["date_partition_enabled"] is False
    assert settings["preserve_transactions"] is False
    assert "cdc_path" not in settings
    assert settings["cdc_inserts_only"] is False and settings["cdc_inserts_and_updates"] is False
    assert (settings["cdc_max_batch_interval"], settings["cdc_min_file_size"]) == (60, 32000)


def test_bronze_writer_writes_only_under_dms_and_uses_the_key_through_s3():
    assert permissions.bronze_writer(BUCKET, KEY, "eu-west-1") == [
        {
            "Sid": "WriteBronze",
            "Effect": "Allow",
            "Action": ["s3:PutObject", "s3:PutObjectTagging", "s3:DeleteObject"],
            "Resource": ["arn:aws:s3:::lakehouse-prod-raw/dms/*"],
        },
        {
            "Sid": "LocateRawBucket",
            "Effect": "Allow",
            "Action": ["s3:ListBucket", "s3:GetBucketLocation"],
            "Resource": ["arn:aws:s3:::lakehouse-prod-raw"],
        },
        {
            "Sid": "EncryptBronze",
            "Effect": "Allow",
            "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
            "Resource": [KEY],
            "Condition": {"StringEquals": {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}},
        },
    ]


def test_secret_reader_decrypts_only_through_secrets_manager_when_a_key_is_named():
    assert [s["Sid"] for s in permissions.secret_reader(SECRET, None, "eu-west-1")] == ["ReadSourceSecret"]
    decrypt = permissions.secret_reader(SECRET, KEY, "eu-west-1")[1]
    assert decrypt == {
        "Sid": "DecryptSourceSecret",
        "Effect": "Allow",
        "Action": ["kms:Decrypt"],
        "Resource": [KEY],
        "Condition": {"StringEquals": {"kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com"}},
    }


def test_dms_trust_names_the_regional_principal_and_pins_the_account():
    assert permissions.dms_trust("eu-west-1", "123456789012") == {
        "Sid": "TrustDms",
        "Effect": "Allow",
        "Action": ["sts:AssumeRole"],
        "Principal": {"Service": ["dms.amazonaws.com", "dms.eu-west-1.amazonaws.com"]},
        "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}},
    }


def test_task_logging_is_limited_to_dms_log_groups_of_the_account():
    statements = {s["Sid"]: s for s in permissions.task_logging("aws", "eu-west-1", "123456789012")}
    assert statements["WriteDmsLogStreams"]["Resource"] == [
        "arn:aws:logs:eu-west-1:123456789012:log-group:dms-tasks-*:log-stream:*",
        "arn:aws:logs:eu-west-1:123456789012:log-group:dms-serverless-replication-*:log-stream:*",
    ]
    assert statements["FindLogGroups"]["Resource"] == "*"
    assert statements["FindLogGroups"]["Action"] == ["logs:DescribeLogGroups"]


def test_vpc_role_manages_interfaces_only_in_the_named_subnets_with_the_named_group():
    ec2 = "arn:aws:ec2:eu-west-1:123456789012"
    subnets = [f"{ec2}:subnet/subnet-0a", f"{ec2}:subnet/subnet-0b"]
    assert permissions.vpc_management("aws", "eu-west-1", "123456789012", ["subnet-0a", "subnet-0b"], "sg-0c") == [
        {
            "Sid": "DescribeNetwork",
            "Effect": "Allow",
            "Action": [
                "ec2:DescribeAvailabilityZones",
                "ec2:DescribeDhcpOptions",
                "ec2:DescribeInternetGateways",
                "ec2:DescribeNetworkInterfaces",
                "ec2:DescribeSecurityGroups",
                "ec2:DescribeSubnets",
                "ec2:DescribeVpcs",
            ],
            "Resource": "*",
        },
        {
            "Sid": "CreateInterfacesInLakeSubnets",
            "Effect": "Allow",
            "Action": ["ec2:CreateNetworkInterface"],
            "Resource": [*subnets, f"{ec2}:security-group/sg-0c"],
        },
        {
            "Sid": "SetReplicationSecurityGroup",
            "Effect": "Allow",
            "Action": ["ec2:ModifyNetworkInterfaceAttribute"],
            "Resource": [f"{ec2}:security-group/sg-0c"],
        },
        {
            "Sid": "ManageInterfacesInLakeSubnets",
            "Effect": "Allow",
            "Action": [
                "ec2:CreateNetworkInterface",
                "ec2:DeleteNetworkInterface",
                "ec2:ModifyNetworkInterfaceAttribute",
            ],
            "Resource": [f"{ec2}:network-interface/*"],
            "Condition": {"ArnEquals": {"ec2:Subnet": subnets}},
        },
    ]
