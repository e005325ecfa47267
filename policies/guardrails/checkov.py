"""Checkov's AWS checks for the services this platform uses that no guardrail covers, and why.

Every other check in ../shared/reference/checkov_aws_checks.tsv is named by a rule (Rule.checkov);
a test fails when a check is neither covered nor listed here.
"""

_REST_API = "The platform's APIs are API Gateway v2 HTTP APIs; REST API (v1) resources are never created"
_EMR_CLUSTER = "The platform runs Spark on Glue and EMR Serverless, never on EMR clusters"
_CLOUDSPLAINING = (
    "Needs an action-level database of every IAM action's risk class; iam-no-wildcard-admin catches the wildcard "
    "forms, and each component's policies are reviewed as named statements"
)

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
    "CKV_AWS_143": "Object Lock makes lake data undeletable, which breaks Iceberg compaction and GDPR erasure; versioning is enforced instead",
    "CKV_AWS_144": "Cross-region replication doubles storage cost; a disaster-recovery choice per stack, not a default",
    "CKV2_AWS_62": "Event notifications are wired by the components that need them (crawlers, ingestion), not required on every bucket",
    "CKV_AWS_177": "Kinesis Video Streams are not used",
    "CKV_AWS_181": "Objects inherit the bucket's default SSE-KMS (enforced by s3-bucket-encrypted-with-cmk); object copies are not stack resources",
    "CKV_AWS_186": "Objects inherit the bucket's default SSE-KMS (enforced by s3-bucket-encrypted-with-cmk)",
    "CKV_AWS_392": "No S3 access points are created",
    "CKV_AWS_393": "No GitHub OIDC roles are created by the stack (CI credentials live outside it)",
    "CKV2_AWS_68": "SageMaker is not used",
    "CKV_AWS_93": "Bucket policies are built from named statements (deny non-TLS, log delivery) that cannot lock out the account",
    "CKV_AWS_385": "Cross-account means comparing with the stack's account id, which a policy cannot read at preview",
    "CKV_AWS_286": _CLOUDSPLAINING,
    "CKV_AWS_287": _CLOUDSPLAINING,
    "CKV_AWS_288": _CLOUDSPLAINING,
    "CKV_AWS_289": _CLOUDSPLAINING,
    "CKV_AWS_290": _CLOUDSPLAINING,
}
