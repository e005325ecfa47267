"""The offline plan as Terraform plan JSON (the output of ``terraform show -json``), so that the
scanners security teams already run on Terraform (Checkov, Trivy, KICS) check a Pulumi stack.

pulumi-aws is the Terraform AWS provider bridged, so each resource has a Terraform twin; the
translation is generic and reads the installed pulumi-aws itself:

- **Types.** ``aws:<module>/<name>:<Name>`` is ``aws_<module>_<snake name>`` except for the
  tokens listed in :data:`TYPE_RENAMES` (pulumi-aws's own table of Terraform names,
  ``provider/cmd/pulumi-resource-aws/bridge-metadata.json``, for the services the platform uses).
- **Attributes.** Each input is looked up in the resource's Python ``Args`` class (and the nested
  ``...Args`` classes it names): its Python name is the Terraform attribute name, a nested class
  means a Terraform *block* (a list of objects in plan JSON, one element when Pulumi flattened it),
  a ``Mapping`` stays a map (``tags``, environment variables). pulumi-aws pluralises repeated blocks
  (``rule`` -> ``rules``), so a list of blocks is singularised back unless Terraform's own name is
  plural (:data:`PLURAL_BLOCKS`).
- **References.** A property that depends on another resource (Pulumi's property dependencies)
  becomes a Terraform expression with ``references`` (``aws_s3_bucket.raw.id``), at the attribute
  or block that holds the referenced value, so graph checks connect a bucket to its encryption,
  versioning and public-access-block resources.

Asset and archive inputs (Lambda code) are left out: Terraform would show a local file name only.
"""

from __future__ import annotations

import re
import sys
import typing
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

import pulumi

from components.tagging import pulumi_class

from .mocks import Registered
from .plan import Plan

FORMAT_VERSION = "1.2"
TERRAFORM_VERSION = "1.9.8"  # the plan JSON format these files follow (format_version 1.2)
PROVIDER_NAME = "registry.terraform.io/hashicorp/aws"

# Tokens whose Terraform type is not ``aws_<module>_<snake name>`` (from pulumi-aws's bridge metadata).
TYPE_RENAMES = {
    "aws:cloudtrail/trail:Trail": "aws_cloudtrail",
    "aws:s3/bucketObjectv2:BucketObjectv2": "aws_s3_object",
    "aws:rds/instance:Instance": "aws_db_instance",
    "aws:rds/subnetGroup:SubnetGroup": "aws_db_subnet_group",
    "aws:rds/parameterGroup:ParameterGroup": "aws_db_parameter_group",
    "aws:ec2/dedicatedHost:DedicatedHost": "aws_ec2_host",
    "aws:ec2/securityGroupAssociation:SecurityGroupAssociation": "aws_vpc_endpoint_security_group_association",
    "aws:ec2/networkInterfaceSecurityGroupAttachment:NetworkInterfaceSecurityGroupAttachment": (
        "aws_network_interface_sg_attachment"
    ),
    "aws:ec2/peeringConnectionOptions:PeeringConnectionOptions": "aws_vpc_peering_connection_options",
}
# EC2's Terraform types mostly have no service prefix (aws_vpc, aws_security_group); these keep "ec2_".
EC2_PREFIXED = {
    "availabilityZoneGroup",
    "capacityReservation",
    "carrierGateway",
    "fleet",
    "localGatewayRoute",
    "localGatewayRouteTableVpcAssociation",
    "managedPrefixList",
    "managedPrefixListEntry",
    "networkInsightsAnalysis",
    "networkInsightsPath",
    "serialConsoleAccess",
    "subnetCidrReservation",
    "tag",
    "trafficMirrorFilter",
    "trafficMirrorFilterRule",
    "trafficMirrorSession",
    "trafficMirrorTarget",
}
# Repeated blocks whose Terraform name is already plural: (Args class name suffix, Python name).
PLURAL_BLOCKS = {
    ("ProcessingConfigurationArgs", "processors"),  # Firehose processors { parameters { ... } }
    ("ProcessorArgs", "parameters"),
    ("StageArgs", "route_settings"),  # API Gateway v2 stage
    ("IntegrationArgs", "response_parameters"),  # API Gateway v2 integration
    ("EventTargetArgs", "run_command_targets"),
    ("TriggerArgs", "actions"),  # Glue trigger actions and predicate conditions
    ("TriggerPredicateArgs", "conditions"),
    ("CatalogTableArgs", "partition_keys"),
    ("CatalogTableStorageDescriptorArgs", "columns"),
}


def terraform_type(token: str) -> str:
    """``aws:s3/bucketPolicy:BucketPolicy`` -> ``aws_s3_bucket_policy``."""
    if token in TYPE_RENAMES:
        return TYPE_RENAMES[token]
    module, _, rest = token.split(":", 1)[1].partition("/")
    name = rest.split(":")[0]
    for suffix in ("V2", "v2"):  # deprecated V2 aliases of S3 settings resources
        if module == "s3" and name.endswith(suffix) and name != "bucketObjectv2":
            name = name.removesuffix(suffix)
    if module == "ec2" and name not in EC2_PREFIXED:
        return f"aws_{snake(name)}"
    return f"aws_{module}_{snake(name)}"


def snake(name: str) -> str:
    """``kmsMasterKeyId`` -> ``kms_master_key_id``; ``s3Encryption`` -> ``s3_encryption``."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])|(?<=[A-Z])([A-Z])(?=[a-z])", r"_\1\2", name).lower()


def singular(name: str) -> str:
    """Undo pulumi-aws's pluralisation of a repeated block: rules -> rule, inline_policies -> inline_policy."""
    for plural, single in (("indices", "index"), ("ies", "y"), ("sses", "ss"), ("xes", "x"), ("ches", "ch")):
        if name.endswith(plural):
            return name[: -len(plural)] + single
    return name[:-1] if name.endswith("s") and not name.endswith("ss") else name


# --- the shape of a pulumi-aws type, read from its Python classes -------------------------------


class Field(typing.NamedTuple):
    terraform: str  # the Terraform attribute or block name
    kind: str  # "block" (repeated or flattened), "map" or "value"
    nested: type | None  # the Args class of a block


def _first(annotation: Any) -> Any:
    """``pulumi.Input[X]`` is ``Union[X, Awaitable[X], Output[T]]`` (maybe with None): X."""
    return typing.get_args(annotation)[0] if typing.get_origin(annotation) is typing.Union else annotation


def _field(args_class: type, python_name: str, annotation: Any) -> Field:
    module = vars(sys.modules[args_class.__module__])
    outer = _first(annotation)
    origin = typing.get_origin(outer)
    if origin in (Mapping, dict) or outer is dict:
        return Field(python_name, "map", None)
    repeated = origin in (Sequence, list)
    element = _first(typing.get_args(outer)[0]) if repeated else outer
    if isinstance(element, typing.ForwardRef) and element.__forward_arg__ in module:
        nested = module[element.__forward_arg__]
        name = python_name
        owner = args_class.__name__.replace("InitArgs", "Args")
        if repeated and not any(owner.endswith(s) and python_name == p for s, p in PLURAL_BLOCKS):
            name = singular(python_name)
        return Field(name, "block", nested)
    return Field(python_name, "value", None)


@cache
def fields(args_class: type) -> dict[str, Field]:
    """Pulumi (camelCase) name -> :class:`Field`, for every input property of an ``Args`` class."""
    found = {}
    for python_name, member in vars(args_class).items():
        getter = getattr(member, "fget", None)
        pulumi_name = getattr(getter, "_pulumi_name", None)
        if pulumi_name:
            annotation = getter.__annotations__.get("return")
            found[pulumi_name] = _field(args_class, python_name.rstrip("_"), annotation)
    return found


def args_class(token: str) -> type | None:
    """The resource's own ``<Name>Args`` class (``<Name>InitArgs`` when a nested type took the name)."""
    cls = pulumi_class(token)
    if cls is None:
        return None
    module = sys.modules[cls.__module__]
    candidates = (getattr(module, f"{cls.__name__}{suffix}", None) for suffix in ("InitArgs", "Args"))
    return next((c for c in candidates if c is not None and c.__module__ == module.__name__), None)


# --- values and expressions ---------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """Assets and archives dropped (None), whole-number floats (the wire has only doubles) back to ints."""
    if isinstance(value, (pulumi.Asset, pulumi.Archive)):
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def translate(props: Mapping[str, Any], schema: type | None) -> dict[str, Any]:
    """Pulumi inputs -> Terraform attribute values (blocks as lists of objects)."""
    known = fields(schema) if schema else {}
    values: dict[str, Any] = {}
    for key, raw in props.items():
        value = _plain(raw)
        if value is None:
            continue
        field = known.get(key) or Field(snake(key), "value", None)
        if field.kind == "block":
            items = value if isinstance(value, list) else [value]
            values[field.terraform] = [translate(item, field.nested) for item in items if isinstance(item, dict)]
        else:
            values[field.terraform] = value
    return values


class _Target(typing.NamedTuple):
    address: str
    values: dict[str, str]  # attribute -> value of the referenced resource (id, arn, name, ...)


def _targets(record: Registered, key: str, addresses: Mapping[str, str], by_urn: Mapping[str, Registered]):
    for urn in record.property_dependencies.get(key, []):
        if urn in addresses:
            dependency = by_urn[urn]
            outputs = {snake(k): v for k, v in dependency.outputs.items() if isinstance(v, str) and v}
            yield _Target(addresses[urn], {"id": dependency.id, **outputs} if dependency.id else outputs)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


def _references(value: Any, targets: list[_Target]) -> list[str]:
    """Terraform's ``references`` for a value: ``addr.attribute`` then ``addr``, per target it holds."""
    found: list[str] = []
    strings = _strings(value)
    for target in targets:
        exact = [attr for attr, v in target.values.items() if v in strings]
        inside = sorted(  # inside a document: the longest (most specific) value, an ARN rather than its name
            (attr for attr, v in target.values.items() if any(v in s for s in strings)),
            key=lambda attr: -len(target.values[attr]),
        )
        attribute = next(iter(exact or inside), None)
        if attribute:
            found += [f"{target.address}.{attribute}", target.address]
    return found


def field_of(schema: type | None, key: str) -> Field:
    """How a Pulumi input key appears in Terraform (an unknown key: snake_case value)."""
    return (fields(schema) if schema else {}).get(key) or Field(snake(key), "value", None)


def _expressions(values: Mapping[str, Any], schema: type | None, targets: list[_Target]) -> dict[str, Any]:
    """Terraform expressions mirroring ``values``: blocks as lists, attributes as references when
    they hold a value of a referenced resource, else as constants."""
    by_name = {field.terraform: field for field in (fields(schema) if schema else {}).values()}
    expressions: dict[str, Any] = {}
    for name, value in values.items():
        field = by_name.get(name)
        if field and field.kind == "block":
            expressions[name] = [_expressions(item, field.nested, targets) for item in value]
            continue
        references = _references(value, targets)
        expressions[name] = {"references": references} if references else {"constant_value": value}
    return expressions


def _resource_expressions(record: Registered, schema: type | None, values: Mapping[str, Any], where, by_urn) -> dict:
    """Per top-level input, the expressions of its value, looking only at the resources that
    input depends on (so a bucket name that two resources share links only where it was passed).
    An input whose value is not known (a name the provider generates) keeps its references, as
    Terraform shows a value known only after apply."""
    expressions: dict[str, Any] = {}
    for key in {*record.inputs, *record.property_dependencies}:
        name = field_of(schema, key).terraform
        targets = list(_targets(record, key, where, by_urn))
        if name in values:
            expressions.update(_expressions({name: values[name]}, schema, targets))
        elif targets:
            expressions[name] = {"references": [ref for t in targets for ref in (f"{t.address}.id", t.address)]}
    return dict(sorted(expressions.items()))


# --- the plan document ----------------------------------------------------------------------------


def is_translated(record: Registered) -> bool:
    """AWS resources only: components, providers and other packages have no Terraform twin here."""
    return record.custom and record.type.startswith("aws:")


def addresses(records: Sequence[Registered]) -> dict[str, str]:
    """URN -> Terraform address (``aws_s3_bucket.foundation-raw``), unique per type."""
    taken: set[str] = set()
    found: dict[str, str] = {}
    for record in records:
        if not is_translated(record):
            continue
        name = re.sub(r"[^A-Za-z0-9_-]", "_", record.name)
        name = name if re.match(r"[A-Za-z_]", name) else f"_{name}"
        base, count = f"{terraform_type(record.type)}.{name}", 1
        address = base
        while address in taken:
            count += 1
            address = f"{base}_{count}"
        taken.add(address)
        found[record.urn] = address
    return found


def _region(records: Sequence[Registered]) -> str | None:
    """The region of the stack's default AWS provider."""
    return next((r.inputs.get("region") for r in records if r.type == "pulumi:providers:aws"), None)


def to_terraform_plan(plan: Plan) -> dict[str, Any]:
    """The plan as Terraform plan JSON: planned values, resource changes (all creates) and the
    configuration with references between resources."""
    records = sorted(plan.records, key=lambda r: r.urn)
    by_urn = {r.urn: r for r in records}
    where = addresses(records)
    planned, changes, configuration = [], [], []
    for record in records:
        if record.urn not in where:
            continue
        address = where[record.urn]
        kind, name = address.split(".", 1)
        schema = args_class(record.type)
        values = translate(record.inputs, schema)
        header = {"address": address, "mode": "managed", "type": kind, "name": name}
        planned.append(
            {**header, "provider_name": PROVIDER_NAME, "schema_version": 0, "values": values, "sensitive_values": {}}
        )
        changes.append(
            {
                **header,
                "provider_name": PROVIDER_NAME,
                "change": {
                    "actions": ["create"],
                    "before": None,
                    "after": values,
                    "after_unknown": {"id": True, "arn": True},
                    "before_sensitive": False,
                    "after_sensitive": {},
                },
            }
        )

        configuration.append(
            {
                **header,
                "provider_config_key": "aws",
                "expressions": _resource_expressions(record, schema, values, where, by_urn),
                "schema_version": 0,
            }
        )
    return {
        "format_version": FORMAT_VERSION,
        "terraform_version": TERRAFORM_VERSION,
        "planned_values": {"root_module": {"resources": planned}},
        "resource_changes": changes,
        "configuration": {
            "provider_config": {
                "aws": {
                    "name": "aws",
                    "full_name": PROVIDER_NAME,
                    "expressions": {"region": {"constant_value": _region(records)}},
                }
            },
            "root_module": {"resources": configuration},
        },
    }
