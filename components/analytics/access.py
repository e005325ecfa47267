"""What the analyst role may do, as IAM statements: a pure function of plain names and ARNs.

Running a query in Athena acts with the caller's own permissions: Athena reads the Glue catalog and
the tables' files, and writes results, as the caller. So the role gets the workgroup, the silver and
gold catalog entries and files, the workgroup's results prefix and the key through those services,
and nothing of the raw zone.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import iam

QUERY_ACTIONS = (
    "athena:StartQueryExecution",
    "athena:StopQueryExecution",
    "athena:GetQueryExecution",
    "athena:GetQueryResults",
    "athena:GetQueryResultsStream",
    "athena:BatchGetQueryExecution",
    "athena:ListQueryExecutions",
    "athena:GetWorkGroup",
    "athena:GetNamedQuery",
    "athena:BatchGetNamedQuery",
    "athena:ListNamedQueries",
)
CATALOG_ACTIONS = (
    "glue:GetDatabase",
    "glue:GetDatabases",
    "glue:GetTable",
    "glue:GetTables",
    "glue:GetPartition",
    "glue:GetPartitions",
    "glue:BatchGetPartition",
)


@dataclass(frozen=True)
class Lake:
    """The plain names and ARNs the statements are scoped with."""

    partition: str
    region: str
    account_id: str
    workgroup: str
    results_bucket_arn: str
    silver_bucket_arn: str
    gold_bucket_arn: str
    silver_database: str
    gold_database: str
    key_arn: str


def results_prefix(workgroup: str) -> str:
    """The workgroup's results, under its own prefix of the Athena results bucket."""
    return f"{workgroup}/"


def analyst_statements(lake: Lake) -> list[iam.Statement]:
    glue = f"arn:{lake.partition}:glue:{lake.region}:{lake.account_id}"
    databases = (lake.silver_database, lake.gold_database)
    buckets = (lake.silver_bucket_arn, lake.gold_bucket_arn)
    results = f"{lake.results_bucket_arn}/{results_prefix(lake.workgroup)}*"
    return [
        iam.allow(
            "RunQueriesInTheWorkgroup",
            list(QUERY_ACTIONS),
            [f"arn:{lake.partition}:athena:{lake.region}:{lake.account_id}:workgroup/{lake.workgroup}"],
        ),
        iam.allow(
            "ReadSilverAndGoldCatalog",
            list(CATALOG_ACTIONS),
            [
                f"{glue}:catalog",
                *(f"{glue}:database/{database}" for database in databases),
                *(f"{glue}:table/{database}/*" for database in databases),
            ],
        ),
        iam.allow("ReadSilverAndGoldFiles", ["s3:GetObject"], [f"{bucket}/*" for bucket in buckets]),
        iam.allow("ListSilverAndGold", ["s3:ListBucket", "s3:GetBucketLocation"], list(buckets)),
        iam.allow(
            "WriteQueryResults",
            ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
            [results],
        ),
        iam.allow(
            "ListQueryResults",
            ["s3:ListBucket", "s3:GetBucketLocation", "s3:ListBucketMultipartUploads"],
            [lake.results_bucket_arn],
        ),
        iam.allow(
            "UseTheLakeKeyThroughS3AndGlue",
            ["kms:Decrypt", "kms:GenerateDataKey"],
            [lake.key_arn],
            conditions={
                "StringEquals": {
                    "kms:ViaService": [f"s3.{lake.region}.amazonaws.com", f"glue.{lake.region}.amazonaws.com"]
                }
            },
        ),
    ]


def analyst_trust(partition: str, account_id: str, principals: list[str]) -> iam.Statement:
    """Who may assume the role: the named principals, or (none named) whoever IAM in this account allows."""
    trusted = principals or [f"arn:{partition}:iam::{account_id}:root"]
    return iam.allow("TrustAnalysts", ["sts:AssumeRole"], None, principal={"AWS": trusted})
