"""The policy pack: `pulumi preview --policy-pack policies`.

Only this file constructs the PolicyPack (constructing one starts the analyzer server and blocks),
so the rules stay importable by tests and by `lakehouse plan`.
"""

from pulumi_policy import EnforcementLevel, PolicyPack

try:  # run by Pulumi from this directory
    from guardrails import PACK_NAME, policies
except ImportError:  # run as `python -m policies`
    from policies.guardrails import PACK_NAME, policies

PolicyPack(
    name=PACK_NAME,
    policies=policies(),
    enforcement_level=EnforcementLevel.MANDATORY,
    description="Encryption, transport, exposure, tagging and least-privilege guardrails for the lakehouse on pulumi-aws v7",
)
