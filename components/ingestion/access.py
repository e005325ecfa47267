"""What the ingestion handler may do, as IAM statements built from plain ARNs (tested without Pulumi).

The handler writes one kind of object: new records under ``raw/`` of the raw bucket
(``raw/source=<source>/year=.../<received_at>-<uuid>.json``, contracts/events.md). It reads nothing and
deletes nothing, so a bug or a stolen credential can add records to the landing prefix and nothing else.
"""

from __future__ import annotations

from .. import iam

RAW_PREFIX = "raw/"


def handler_statements(raw_bucket_arn: str, key_arn: str, region: str) -> list[iam.Statement]:
    """PutObject under ``raw/`` of the raw bucket, and the stack key only as S3 uses it for that bucket.

    The bucket encrypts with an S3 Bucket Key, so S3 asks KMS for a data key with the *bucket* ARN as
    encryption context: the condition names the bucket, and only requests S3 makes on the handler's
    behalf (kms:ViaService) qualify.
    """
    return [
        iam.allow("WriteRawRecords", ["s3:PutObject"], [f"{raw_bucket_arn}/{RAW_PREFIX}*"]),
        iam.allow(
            "EncryptRawRecordsThroughS3",
            ["kms:GenerateDataKey"],
            [key_arn],
            conditions={
                "StringEquals": {
                    "kms:ViaService": f"s3.{region}.amazonaws.com",
                    "kms:EncryptionContext:aws:s3:arn": raw_bucket_arn,
                }
            },
        ),
    ]
