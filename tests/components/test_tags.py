"""Every taggable resource of both stacks carries the stack's tags as plain values."""

from __future__ import annotations

import json

from components.tagging import REQUIRED_TAG_KEYS, is_taggable


def test_taggable_types_are_read_from_pulumi_aws():
    assert is_taggable("aws:s3/bucket:Bucket")
    assert is_taggable("aws:ec2/subnet:Subnet")
    assert not is_taggable("aws:s3/bucketPolicy:BucketPolicy")
    assert not is_taggable("aws:glue/securityConfiguration:SecurityConfiguration")
    assert not is_taggable("lakehouse:index:DataLakeFoundation")


def test_every_taggable_resource_has_every_required_tag(stack_plan):
    expected = {
        "project": "lakehouse",
        "environment": stack_plan.stack,
        "owner": "data-platform",
        "cost-center": "cc-1042",
        "data-classification": "internal" if stack_plan.stack == "dev" else "confidential",
    }
    checked = 0
    for resource in stack_plan.resources:
        if not is_taggable(resource.type):
            continue
        tags = resource.props.get("tags") or {}
        assert {key: tags.get(key) for key in REQUIRED_TAG_KEYS} == expected, resource.urn
        checked += 1
    assert checked >= 10


def test_provider_default_tags_are_the_safety_net(stack_plan):
    (provider,) = [r for r in stack_plan.resources if r.type == "pulumi:providers:aws"]
    # Provider inputs travel as JSON strings.
    assert json.loads(provider.props["defaultTags"])["tags"]["owner"] == "data-platform"
    assert provider.props["region"] == "eu-west-1"
