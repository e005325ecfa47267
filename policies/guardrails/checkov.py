"""Checkov's AWS checks that no guardrail covers, and why: the documented exceptions of the Checkov
cross-check (tests/lakehouse/preview/test_checkov.py). A failure of one of these checks, on the
insecure fixture or on a repo stack, is accepted for the reason given; any other Checkov failure must
coincide with one of the pack's violations on the same resource. Which rule each remaining check
coincides with is observed, not declared: checkov_observed.json, written by that test.
"""

_REST_API = "The platform's APIs are API Gateway v2 HTTP APIs; REST API (v1) resources are never created"
_EMR_CLUSTER = "The platform runs Spark on Glue and EMR Serverless, never on EMR clusters"

NOT_COVERED: dict[str, str] = {
    "CKV_AWS_59": _REST_API,
    "CKV_AWS_73": _REST_API,
    "CKV_AWS_120": _REST_API,
    "CKV_AWS_206": _REST_API + " (no custom domain either)",
    "CKV_AWS_217": _REST_API,
    "CKV_AWS_225": _REST_API,
    "CKV_AWS_237": _REST_API,
    "CKV_AWS_276": _REST_API,
    "CKV_AWS_308": _REST_API,
    "CKV2_AWS_4": _REST_API,
    "CKV2_AWS_53": _REST_API,
    "CKV2_AWS_70": _REST_API + "; HTTP API routes are checked by api-route-authorized",
    "CKV2_AWS_29": "WAF cannot be attached to HTTP APIs (only REST APIs, ALB, CloudFront, AppSync)",
    "CKV2_AWS_77": "WAF cannot be attached to HTTP APIs",
    "CKV2_AWS_51": "Mutual TLS needs a custom domain and a client CA the platform does not own; routes use IAM/JWT auth",
    "CKV_AWS_114": _EMR_CLUSTER,
    "CKV_AWS_171": _EMR_CLUSTER,
    "CKV_AWS_349": _EMR_CLUSTER,
    "CKV_AWS_350": _EMR_CLUSTER,
    "CKV_AWS_351": _EMR_CLUSTER,
    "CKV_AWS_390": _EMR_CLUSTER,
    "CKV2_AWS_7": _EMR_CLUSTER,
    "CKV2_AWS_55": _EMR_CLUSTER,
    "CKV_AWS_117": "Not every Lambda needs a VPC (ingestion and stream transforms reach only AWS APIs); in-VPC is a per-component choice",
    "CKV_AWS_272": "Code signing needs a signing profile and pipeline outside the stack; packages are built and hashed by Pulumi",
    "CKV_AWS_143": (
        "Object Lock on every bucket would make lake data undeletable, which breaks Iceberg compaction and GDPR "
        "erasure (versioning is enforced instead); the pack requires it where it belongs, on a trail's destination "
        "bucket (cloudtrail-bucket-object-lock). The check reads only the bucket's inline object_lock_configuration "
        "block, which pulumi-aws v7 no longer sets"
    ),
    "CKV_AWS_144": "Cross-region replication doubles storage cost; a disaster-recovery choice per stack, not a default",
    "CKV2_AWS_62": "Event notifications are wired by the components that need them (crawlers, ingestion), not required on every bucket",
    "CKV_AWS_177": "Kinesis Video Streams are not used",
    "CKV_AWS_181": "Objects inherit the bucket's default SSE-KMS (enforced by s3-bucket-encrypted-with-cmk); object copies are not stack resources",
    "CKV_AWS_186": "Objects inherit the bucket's default SSE-KMS (enforced by s3-bucket-encrypted-with-cmk)",
    "CKV_AWS_392": "No S3 access points are created",
    "CKV_AWS_393": "No GitHub OIDC roles are created by the stack (CI credentials live outside it)",
    "CKV2_AWS_68": "SageMaker is not used",
    "CKV2_AWS_5": (
        "The foundation creates security groups for the components that attach them (Glue connections, Lambda and "
        "EMR Serverless in the VPC); an unattached group admits nothing, so the pack does not require attachment"
    ),
    "CKV_AWS_19": (
        "Passes any bucket without an encryption configuration (S3 applies SSE-S3 by default) and accepts AES256, so "
        "it cannot fail where s3-bucket-encrypted-with-cmk (SSE-KMS with the stack's key) reports; CKV_AWS_145 can"
    ),
    "CKV_AWS_61": (
        "Flags trust in a whole account (its root), which is how a role delegates to another account's IAM; the pack "
        "reports trust in everyone (Principal '*', no-public-resource-policy)"
    ),
    "CKV_AWS_379": (
        "Evaluated on aws_s3_bucket_acl, failing only for a public canned ACL on a bucket whose access block is off; the "
        "pack reports each part on its own (s3-acl-not-public, s3-bucket-blocks-public-access, "
        "s3-bucket-denies-insecure-transport)"
    ),
    "CKV_AWS_252": (
        "CloudTrail's per-log-file SNS notifications only say that a file landed; the audit trail is watched "
        "through its CloudWatch Logs delivery and alarms instead"
    ),
    "CKV_AWS_93": "Bucket policies are built from named statements (deny non-TLS, log delivery) that cannot lock out the account",
    "CKV_AWS_385": "Cross-account means comparing with the stack's account id, which a policy cannot read at preview",
}

# Checks a repo stack fails by design, per stack, and why (the check still holds on the others).
STACK_EXCEPTIONS: dict[str, dict[str, str]] = {
    "dev": {
        "CKV_AWS_338": (
            "dev is disposable and keeps logs 30 days (policies/config/dev.json sets log-group-retention-long-enough "
            "minimumDays to 30); prod keeps them at least a year"
        ),
    },
}
