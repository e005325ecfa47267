"""The two classes the gate used to miss: privilege escalation on a wildcard resource (every family
of cloudsplaining's methods, every kind of policy document) and security groups open to the world
(IPv4 and IPv6, inline rules and both kinds of rule resources, HTTPS allowed but never to a data
store); and exceptions by resource name, with a reason."""

from __future__ import annotations

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from lakehouse.preview.mocks import Registered
from tests.policies.test_policy_rules import doc, stack_violations, violations

ESCALATION = "iam-no-privilege-escalation"
INGRESS = "security-group-no-world-ingress"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ROLE = "arn:aws:iam::123456789012:role/app"


def allow(actions, resources="*", **extra) -> dict:
    return {"Effect": "Allow", "Action": actions, "Resource": resources, **extra}


# --- privilege escalation ---------------------------------------------------------------------------

FAMILIES = [
    ("iam:PassRole", "iam:passrole", "CreateEC2WithExistingIP, PassExistingRoleToCloudFormation"),
    ("iam:CreatePolicyVersion", "iam:createpolicyversion", "CreateNewPolicyVersion"),
    ("iam:SetDefaultPolicyVersion", "iam:setdefaultpolicyversion", "SetExistingDefaultPolicyVersion"),
    ("iam:AttachRolePolicy", "iam:attachrolepolicy", "AttachRolePolicy"),
    ("iam:AttachUserPolicy", "iam:attachuserpolicy", "AttachUserPolicy"),
    ("iam:AttachGroupPolicy", "iam:attachgrouppolicy", "AttachGroupPolicy"),
    ("iam:PutRolePolicy", "iam:putrolepolicy", "PutRolePolicy"),
    ("iam:PutUserPolicy", "iam:putuserpolicy", "PutUserPolicy"),
    ("iam:PutGroupPolicy", "iam:putgrouppolicy", "PutGroupPolicy"),
    ("iam:AddUserToGroup", "iam:addusertogroup", "AddUserToGroup"),
    ("iam:CreateAccessKey", "iam:createaccesskey", "CreateAccessKey"),
    ("iam:CreateLoginProfile", "iam:createloginprofile", "CreateLoginProfile"),
    ("iam:UpdateLoginProfile", "iam:updateloginprofile", "UpdateLoginProfile"),
    ("iam:UpdateAssumeRolePolicy", "iam:updateassumerolepolicy", "UpdateRolePolicyToAssumeIt"),
    ("sts:AssumeRole", "sts:assumerole", "AttachRolePolicy, PutRolePolicy, UpdateRolePolicyToAssumeIt"),
    ("lambda:UpdateFunctionCode", "lambda:updatefunctioncode", "EditExistingLambdaFunctionWithRole"),
    ("glue:UpdateDevEndpoint", "glue:updatedevendpoint", "UpdateExistingGlueDevEndpoint"),
]


@pytest.mark.parametrize("action, listed, methods", FAMILIES, ids=[f[0] for f in FAMILIES])
def test_each_escalation_family_on_every_resource_is_reported(action, listed, methods):
    found = violations(ESCALATION, ROLE_POLICY, {"policy": doc(allow(action))})
    if action == "iam:PassRole":  # the message names every method PassRole opens; check the start and one
        assert found[0].startswith("policy statement 0 allows privilege-escalation action iam:passrole on '*'")
        assert methods.split(", ")[1] in found[0]
        return
    assert found == [
        f"policy statement 0 allows privilege-escalation action {listed} on '*' (escalation methods: {methods}); "
        "name the resources"
    ]


def test_the_same_action_on_a_named_resource_passes():
    statement = allow("iam:PassRole", ROLE, Condition={"StringEquals": {"iam:PassedToService": "glue.amazonaws.com"}})
    assert violations(ESCALATION, ROLE_POLICY, {"policy": doc(statement)}) == []


def test_a_resource_name_prefix_is_not_a_wildcard():
    statement = allow("sts:AssumeRole", "arn:aws:iam::123456789012:role/lakehouse-*")
    assert violations(ESCALATION, ROLE_POLICY, {"policy": doc(statement)}) == []


def test_every_resource_of_a_kind_is_a_wildcard():
    statement = allow("iam:CreateAccessKey", "arn:aws:iam::123456789012:user/*")
    assert violations(ESCALATION, ROLE_POLICY, {"policy": doc(statement)}) == [
        "policy statement 0 allows privilege-escalation action iam:createaccesskey on "
        "'arn:aws:iam::123456789012:user/*' (escalation methods: CreateAccessKey); name the resources"
    ]


def test_action_wildcards_are_expanded_case_insensitively():
    found = violations(ESCALATION, ROLE_POLICY, {"policy": doc(allow("IAM:put*policy"))})
    assert found == [
        "policy statement 0 allows privilege-escalation actions iam:putuserpolicy, iam:putgrouppolicy, "
        "iam:putrolepolicy on '*' (escalation methods: PutGroupPolicy, PutRolePolicy, PutUserPolicy); name the resources"
    ]


def test_every_action_grants_every_escalation():
    found = violations(ESCALATION, "aws:iam/policy:Policy", {"policy": doc(allow("*"))})
    assert found[0].startswith("policy statement 0 allows every privilege-escalation action on '*'")


def test_not_action_leaves_escalation_actions_allowed():
    statement = {"Effect": "Allow", "NotAction": ["iam:*", "sts:*"], "Resource": "*"}
    assert violations(ESCALATION, ROLE_POLICY, {"policy": doc(statement)}) == [
        "policy statement 0 allows privilege-escalation actions glue:updatedevendpoint, lambda:updatefunctioncode "
        "on '*' (escalation methods: EditExistingLambdaFunctionWithRole, UpdateExistingGlueDevEndpoint); "
        "name the resources"
    ]


def test_not_resource_counts_as_every_resource():
    statement = {"Effect": "Allow", "Action": "iam:PassRole", "NotResource": ROLE}
    found = violations(ESCALATION, ROLE_POLICY, {"policy": doc(statement)})
    assert "on every resource but a list (NotResource)" in found[0]


def test_a_deny_is_not_an_escalation():
    statement = {"Effect": "Deny", "Action": "iam:*", "Resource": "*"}
    assert violations(ESCALATION, ROLE_POLICY, {"policy": doc(statement)}) == []


def test_ordinary_service_actions_of_a_method_do_not_escalate_alone():
    assert (
        violations(ESCALATION, ROLE_POLICY, {"policy": doc(allow(["lambda:CreateFunction", "ec2:RunInstances"]))}) == []
    )


@pytest.mark.parametrize(
    "resource_type, prop",
    [
        ("aws:iam/policy:Policy", "policy"),
        ("aws:iam/userPolicy:UserPolicy", "policy"),
        ("aws:iam/groupPolicy:GroupPolicy", "policy"),
        ("aws:s3/bucketPolicy:BucketPolicy", "policy"),
        ("aws:kms/key:Key", "policy"),
        ("aws:kms/keyPolicy:KeyPolicy", "policy"),
        ("aws:sqs/queuePolicy:QueuePolicy", "policy"),
    ],
)
def test_every_kind_of_policy_document_is_checked(resource_type, prop):
    statement = allow("*", "*", Principal={"AWS": ROLE})
    found = violations(ESCALATION, resource_type, {prop: doc(statement)})
    assert len(found) == 1 and "every privilege-escalation action" in found[0]


def test_role_inline_policies_are_checked_and_the_trust_policy_is_not():
    trust = doc({"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"})
    props = {"assumeRolePolicy": trust, "inlinePolicies": [{"name": "ci", "policy": doc(allow("iam:PassRole"))}]}
    found = violations(ESCALATION, "aws:iam/role:Role", props)
    assert len(found) == 1 and found[0].startswith("inline policy ci statement 0 allows privilege-escalation action")
    assert violations(ESCALATION, "aws:iam/role:Role", {"assumeRolePolicy": trust}) == []


def test_an_unknown_policy_document_is_reported():
    assert violations(ESCALATION, ROLE_POLICY, {"policy": UNKNOWN_STRING_VALUE}) == [
        "policy: the policy document is unknown at preview, so it cannot be checked; build it from known values"
    ]


def test_a_resource_listed_as_an_exception_with_a_reason_is_not_reported():
    props = {"policy": doc(allow("iam:PassRole"))}
    config = {"exceptions": {"test": "CI deploys every job role; ticket SEC-7"}}
    assert violations(ESCALATION, ROLE_POLICY, props, config) == []


def test_an_exception_without_a_reason_does_not_count():
    props = {"policy": doc(allow("iam:PassRole"))}
    assert len(violations(ESCALATION, ROLE_POLICY, props, {"exceptions": {"test": " "}})) == 1


def test_an_exception_for_another_resource_does_not_count():
    props = {"policy": doc(allow("iam:PassRole"))}
    assert len(violations(ESCALATION, ROLE_POLICY, props, {"exceptions": {"other": "a reason for another"}})) == 1


# --- security groups open to the world ----------------------------------------------------------------

SG = "aws:ec2/securityGroup:SecurityGroup"
SG_URN = f"urn:pulumi:s::p::{SG}::sg"


def group(*ingress: dict, name: str = "sg") -> Registered:
    return Registered(f"urn:pulumi:s::p::{SG}::{name}", SG, name, None, True, {"ingress": list(ingress)}, [], {})


def tcp(port: int, **cidrs) -> dict:
    return {"protocol": "tcp", "fromPort": float(port), "toPort": float(port), **cidrs}


def rule_resource(kind: str, props: dict, name: str = "rule") -> Registered:
    urn = f"urn:pulumi:s::p::{kind}::{name}"
    return Registered(urn, kind, name, None, True, props, [], {"securityGroupId": [SG_URN]})


def data_store(kind: str, prop: str) -> Registered:
    return Registered(f"urn:pulumi:s::p::{kind}::store", kind, "store", None, True, {}, [], {prop: [SG_URN]})


def test_ssh_open_to_the_ipv4_world_is_reported():
    assert stack_violations(INGRESS, [group(tcp(22, cidrBlocks=["0.0.0.0/0"]))]) == [
        (SG_URN, "ingress 0 admits 0.0.0.0/0 to tcp 22: only HTTPS (tcp 443) may be open to the world")
    ]


def test_a_data_store_port_open_to_the_ipv6_world_is_reported():
    assert stack_violations(INGRESS, [group(tcp(27017, ipv6CidrBlocks=["::/0"]))]) == [
        (SG_URN, "ingress 0 admits ::/0 to tcp 27017: only HTTPS (tcp 443) may be open to the world")
    ]


def test_all_traffic_from_the_world_is_reported():
    rule = {"protocol": "-1", "fromPort": 0.0, "toPort": 0.0, "cidrBlocks": ["0.0.0.0/0"]}
    assert stack_violations(INGRESS, [group(rule)]) == [
        (SG_URN, "ingress 0 admits 0.0.0.0/0 to all traffic: only HTTPS (tcp 443) may be open to the world")
    ]


def test_a_port_range_that_includes_443_is_reported():
    rule = {"protocol": "tcp", "fromPort": 0.0, "toPort": 65535.0, "cidrBlocks": ["0.0.0.0/0"]}
    assert stack_violations(INGRESS, [group(rule)]) == [
        (SG_URN, "ingress 0 admits 0.0.0.0/0 to tcp 0-65535: only HTTPS (tcp 443) may be open to the world")
    ]


def test_https_open_to_the_world_passes():
    assert stack_violations(INGRESS, [group(tcp(443, cidrBlocks=["0.0.0.0/0"], ipv6CidrBlocks=["::/0"]))]) == []


def test_a_data_store_port_from_inside_the_vpc_passes():
    assert stack_violations(INGRESS, [group(tcp(27017, cidrBlocks=["10.0.0.0/16"]))]) == []


def test_a_separate_security_group_rule_is_checked_and_its_egress_is_not():
    kind = "aws:ec2/securityGroupRule:SecurityGroupRule"
    ingress = rule_resource(kind, {"type": "ingress", **tcp(3389, cidrBlocks=["0.0.0.0/0"])})
    egress = rule_resource(kind, {"type": "egress", **tcp(3389, cidrBlocks=["0.0.0.0/0"])}, name="out")
    assert stack_violations(INGRESS, [group(), ingress, egress]) == [
        (ingress.urn, "rule admits 0.0.0.0/0 to tcp 3389: only HTTPS (tcp 443) may be open to the world")
    ]


def test_a_vpc_ingress_rule_resource_is_checked_for_ipv6():
    kind = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
    rule = rule_resource(kind, {"ipProtocol": "tcp", "fromPort": 5432.0, "toPort": 5432.0, "cidrIpv6": "::/0"})
    assert stack_violations(INGRESS, [group(), rule]) == [
        (rule.urn, "rule admits ::/0 to tcp 5432: only HTTPS (tcp 443) may be open to the world")
    ]


@pytest.mark.parametrize(
    "kind, prop",
    [
        ("aws:docdb/cluster:Cluster", "vpcSecurityGroupIds"),
        ("aws:msk/cluster:Cluster", "brokerNodeGroupInfo"),
        ("aws:rds/cluster:Cluster", "vpcSecurityGroupIds"),
        ("aws:opensearch/domain:Domain", "vpcOptions"),
    ],
)
def test_a_data_stores_group_is_never_open_to_the_world_even_on_https(kind, prop):
    short = kind.split(":")[1].split("/")[0] + "." + kind.rsplit(":", 1)[1]
    assert stack_violations(INGRESS, [group(tcp(443, cidrBlocks=["0.0.0.0/0"])), data_store(kind, prop)]) == [
        (
            SG_URN,
            f"ingress 0 admits 0.0.0.0/0 to tcp 443 of data store {short} 'store': a data store is never open to the world",
        )
    ]


def test_a_separate_rule_on_a_data_stores_group_is_reported():
    kind = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
    rule = rule_resource(kind, {"ipProtocol": "tcp", "fromPort": 443.0, "toPort": 443.0, "cidrIpv4": "0.0.0.0/0"})
    store = data_store("aws:docdb/cluster:Cluster", "vpcSecurityGroupIds")
    assert stack_violations(INGRESS, [group(), rule, store]) == [
        (
            rule.urn,
            "rule admits 0.0.0.0/0 to tcp 443 of data store docdb.Cluster 'store': a data store is never open to the world",
        )
    ]


def test_an_unknown_cidr_is_reported():
    assert stack_violations(INGRESS, [group(tcp(22, cidrBlocks=[UNKNOWN_STRING_VALUE]))]) == [
        (SG_URN, "ingress 0 is unknown at preview, so its exposure cannot be verified")
    ]


def test_a_group_listed_as_an_exception_with_a_reason_is_not_reported():
    config = {"exceptions": {"sg": "partner SFTP without fixed IPs; ticket SEC-42"}}
    assert stack_violations(INGRESS, [group(tcp(22, cidrBlocks=["0.0.0.0/0"]))], config) == []
