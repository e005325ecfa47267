"""What every Lambda function's own role may do (function_statements): the pure statements, and the
network-interface grants of a VPC function proven on the prod plan with the offline access model."""

from __future__ import annotations

import pytest

from components.lambda_function import (
    FunctionRunbooks,
    FunctionSettings,
    PythonFunction,
    VpcPlacement,
    function_statements,
)
from lakehouse.preview.access import AccessModel
from tests.components.conftest import build_component

LOGS = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/fn"
DLQ = "arn:aws:sqs:eu-west-1:123456789012:fn-dlq"
KEY = "arn:aws:kms:eu-west-1:123456789012:key/1111"
NETWORK = VpcPlacement("aws", "eu-west-1", "123456789012", ["subnet-0a", "subnet-0b"], ["sg-0c"])
EC2 = "arn:aws:ec2:eu-west-1:123456789012"
OWN_STATEMENTS = [
    {
        "Sid": "WriteOwnLogs",
        "Effect": "Allow",
        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": [f"{LOGS}:*"],
    },
    {
        "Sid": "Trace",
        "Effect": "Allow",
        "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
        "Resource": "*",
    },
    {"Sid": "DeadLetter", "Effect": "Allow", "Action": ["sqs:SendMessage"], "Resource": [DLQ]},
    {"Sid": "UseStackKey", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": [KEY]},
]


def test_a_function_outside_a_vpc_writes_its_logs_traces_dead_letters_and_uses_the_key_only():
    assert function_statements(LOGS, DLQ, KEY, network=None) == OWN_STATEMENTS


def test_a_vpc_function_manages_interfaces_only_in_its_subnets_with_its_security_groups():
    assert function_statements(LOGS, DLQ, KEY, network=NETWORK) == [
        *OWN_STATEMENTS,
        {
            "Sid": "FindNetworkInterfaces",
            "Effect": "Allow",
            "Action": ["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"],
            "Resource": "*",
        },
        {
            "Sid": "CreateInterfacesInOwnSubnets",
            "Effect": "Allow",
            "Action": ["ec2:CreateNetworkInterface"],
            "Resource": [f"{EC2}:subnet/subnet-0a", f"{EC2}:subnet/subnet-0b", f"{EC2}:security-group/sg-0c"],
        },
        {
            "Sid": "ManageInterfacesInOwnSubnets",
            "Effect": "Allow",
            "Action": [
                "ec2:CreateNetworkInterface",
                "ec2:DeleteNetworkInterface",
                "ec2:AssignPrivateIpAddresses",
                "ec2:UnassignPrivateIpAddresses",
            ],
            "Resource": [f"{EC2}:network-interface/*"],
            "Condition": {"ArnEquals": {"ec2:Subnet": [f"{EC2}:subnet/subnet-0a", f"{EC2}:subnet/subnet-0b"]}},
        },
    ]


def test_only_actions_without_a_resource_type_are_granted_on_every_resource():
    on_star = {
        action
        for statement in function_statements(LOGS, DLQ, KEY, network=NETWORK)
        if statement["Resource"] == "*"
        for action in statement["Action"]
    }
    assert on_star == {
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeSubnets",
    }


# --- the document processor, the prod stack's VPC function ----------------------------------------

PROD_EC2 = "arn:aws:ec2:eu-west-1:123456789012"


@pytest.fixture(scope="module")
def model(prod_plan) -> AccessModel:
    return AccessModel.from_records(prod_plan.records)


@pytest.fixture(scope="module")
def network(prod_plan) -> dict[str, str]:
    """ARNs of the processor's subnet and group, and of a neighbouring group (the cluster's)."""
    groups = {r.name: r.id for r in prod_plan.records if r.type == "aws:ec2/securityGroup:SecurityGroup"}
    return {
        "subnet": f"{PROD_EC2}:subnet/{prod_plan.outputs['foundation']['private_subnet_ids'][0]}",
        "group": f"{PROD_EC2}:security-group/{groups['document_store-processor-sg']}",
        "cluster_group": f"{PROD_EC2}:security-group/{groups['document_store-cluster-sg']}",
        "other_subnet": f"{PROD_EC2}:subnet/subnet-0another",
        "interface": f"{PROD_EC2}:network-interface/eni-0123456789abcdef0",
    }


def test_the_processor_creates_interfaces_in_its_subnet_with_its_group(model, network):
    role = model.role_arn("document_store-processor-role")
    for resource in (network["subnet"], network["group"]):
        assert model.allows(role, "ec2:CreateNetworkInterface", resource)
    assert model.allows(role, "ec2:CreateNetworkInterface", network["interface"], {"ec2:Subnet": network["subnet"]})


def test_the_processor_deletes_and_readdresses_interfaces_in_its_subnets(model, network):
    role = model.role_arn("document_store-processor-role")
    in_subnet = {"ec2:Subnet": network["subnet"]}
    for action in ("ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"):
        assert model.allows(role, action, network["interface"], in_subnet)


def test_the_processor_is_denied_other_subnets_groups_and_their_interfaces(model, network):
    role = model.role_arn("document_store-processor-role")
    assert not model.allows(role, "ec2:CreateNetworkInterface", network["other_subnet"])
    assert not model.allows(role, "ec2:CreateNetworkInterface", network["cluster_group"])
    elsewhere = {"ec2:Subnet": network["other_subnet"]}
    assert not model.allows(role, "ec2:DeleteNetworkInterface", network["interface"], elsewhere)
    assert not model.allows(role, "ec2:CreateNetworkInterface", network["interface"], elsewhere)


def test_a_function_outside_the_vpc_gets_no_network_interface(model, network):
    role = model.role_arn("ingestion-handler-role")
    assert not model.allows(role, "ec2:CreateNetworkInterface", network["subnet"])
    assert not model.allows(role, "ec2:DescribeNetworkInterfaces", "*")


def test_health_alarms_name_the_function_and_warn_at_exactly_80_percent_of_its_timeout():
    runbooks = FunctionRunbooks(errors="it raised", throttles="it was throttled", duration="it is slow")
    _, function = build_component(
        lambda: PythonFunction(
            "fn",
            handler_package="ingestion",
            function_name="acme-fn",
            description="a function",
            key_arn=KEY,
            account_id="123456789012",
            statements=[],
            settings=FunctionSettings(timeout_seconds=3),
        )
    )
    alarms = function.health_alarms("handler", runbooks)
    assert [(a.name, a.namespace, a.metric, a.statistic, a.runbook) for a in alarms] == [
        ("handler-errors", "AWS/Lambda", "Errors", "Sum", "it raised"),
        ("handler-throttles", "AWS/Lambda", "Throttles", "Sum", "it was throttled"),
        ("handler-duration-p99", "AWS/Lambda", "Duration", "p99", "it is slow"),
    ]
    assert alarms[2].threshold == 2400  # 0.8 * 3 * 1000 would be 2400.0000000000005
    assert (alarms[2].unit, alarms[2].evaluation_periods) == ("Milliseconds", 3)
