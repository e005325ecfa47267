"""Stack settings files become the engine's config form; secure values become placeholders."""

from __future__ import annotations

import json

import pytest

from lakehouse.preview.stackfile import SECRET_PLACEHOLDER, StackFileError, read_stack_file


def test_objects_travel_as_json_and_bare_keys_join_the_project_namespace(tmp_path):
    path = tmp_path / "Pulumi.qa.yaml"
    path.write_text(
        "config:\n  aws:region: us-east-2\n  environment: qa\n  lakehouse:components:\n    foundation:\n      protect: true\n"
    )
    stack = read_stack_file(path, "lakehouse")
    assert stack.name == "qa"
    assert stack.region == "us-east-2"
    assert stack.config["lakehouse:environment"] == "qa"
    assert json.loads(stack.config["lakehouse:components"]) == {"foundation": {"protect": True}}
    assert stack.secret_keys == []


def test_secure_values_anywhere_become_placeholders_and_mark_their_key_secret(tmp_path):
    path = tmp_path / "Pulumi.qa.yaml"
    path.write_text(
        "config:\n  lakehouse:dbPassword:\n    secure: v1:abcd\n"
        "  lakehouse:components:\n    cdc:\n      source:\n        password:\n          secure: v1:efgh\n"
    )
    stack = read_stack_file(path, "lakehouse")
    assert stack.config["lakehouse:dbPassword"] == SECRET_PLACEHOLDER
    assert json.loads(stack.config["lakehouse:components"]) == {"cdc": {"source": {"password": SECRET_PLACEHOLDER}}}
    assert sorted(stack.secret_keys) == ["lakehouse:components", "lakehouse:dbPassword"]


@pytest.mark.parametrize(
    "text, message",
    [("config: [1, 2]\n", "expected a mapping with a 'config:' mapping"), ("config: {a: [\n", "not valid YAML")],
)
def test_unreadable_stack_files_are_reported(tmp_path, text, message):
    path = tmp_path / "Pulumi.bad.yaml"
    path.write_text(text)
    with pytest.raises(StackFileError, match=message):
        read_stack_file(path, "lakehouse")
