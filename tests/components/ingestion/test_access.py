"""The handler's statements: PutObject under raw/ only, and the key only through S3 for that bucket."""

from __future__ import annotations

from components.ingestion.access import handler_statements

RAW = "arn:aws:s3:::lake-raw"
KEY = "arn:aws:kms:eu-west-1:123456789012:key/k-1"


def test_handler_may_only_put_objects_under_raw():
    statements = {s["Sid"]: s for s in handler_statements(RAW, KEY, "eu-west-1")}
    assert statements["WriteRawRecords"] == {
        "Sid": "WriteRawRecords",
        "Effect": "Allow",
        "Action": ["s3:PutObject"],
        "Resource": ["arn:aws:s3:::lake-raw/raw/*"],
    }


def test_handler_uses_the_key_only_as_s3_does_for_the_raw_bucket():
    statements = {s["Sid"]: s for s in handler_statements(RAW, KEY, "eu-west-1")}
    assert statements["EncryptRawRecordsThroughS3"] == {
        "Sid": "EncryptRawRecordsThroughS3",
        "Effect": "Allow",
        "Action": ["kms:GenerateDataKey"],
        "Resource": [KEY],
        "Condition": {
            "StringEquals": {
                "kms:ViaService": "s3.eu-west-1.amazonaws.com",
                "kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::lake-raw",
            }
        },
    }


def test_nothing_else_is_granted():
    assert [s["Sid"] for s in handler_statements(RAW, KEY, "eu-west-1")] == [
        "WriteRawRecords",
        "EncryptRawRecordsThroughS3",
    ]
