"""The sample producers: send_clickstream against moto Kinesis (batches, retry of refused records),
post_records against the local ingestion adapter (SigV4 signing, retry with the same ids)."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError
from moto import mock_aws

from scripts import post_records, send_clickstream

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"


@pytest.mark.parametrize("script", ["send_clickstream.py", "post_records.py"])
def test_each_producer_has_help(script):
    result = subprocess.run([sys.executable, str(SCRIPTS / script), "--help"], capture_output=True, text=True)
    assert result.returncode == 0
    assert "usage:" in result.stdout and "--count" in result.stdout


# --- send_clickstream -------------------------------------------------------------------------------


def test_batches_hold_at_most_500_records():
    records = [{"Data": b"x", "PartitionKey": "k"} for _ in range(1001)]
    assert [len(b) for b in send_clickstream.batches(records)] == [500, 500, 1]


def test_batches_hold_at_most_5_mib():
    records = [{"Data": b"x" * (1024 * 1024 - 1), "PartitionKey": "k"} for _ in range(6)]  # exactly 1 MiB each
    assert [len(b) for b in send_clickstream.batches(records)] == [5, 1]


def test_a_record_over_1_mib_is_refused_before_sending():
    with pytest.raises(ValueError, match="over Kinesis's 1 MiB limit"):
        list(send_clickstream.batches([{"Data": b"x" * (1024 * 1024), "PartitionKey": "k"}]))


def _records_in(client, stream: str) -> list[bytes]:
    shards = client.list_shards(StreamName=stream)["Shards"]
    found = []
    for shard in shards:
        iterator = client.get_shard_iterator(
            StreamName=stream, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        found += [r["Data"] for r in client.get_records(ShardIterator=iterator, Limit=10_000)["Records"]]
    return found


class RefusingFirstAttempt:
    """A Kinesis client whose first PutRecords refuses its first ``refused`` records (throttling)."""

    def __init__(self, client, refused: int):
        self.client, self.refused, self.calls = client, refused, []

    def put_records(self, Records, **stream):  # boto3's argument name
        self.calls.append(len(Records))
        if len(self.calls) > 1:
            return self.client.put_records(Records=Records, **stream)
        accepted = self.client.put_records(Records=Records[self.refused :], **stream)["Records"]
        throttled = {"ErrorCode": "ProvisionedThroughputExceededException", "ErrorMessage": "Rate exceeded"}
        return {"FailedRecordCount": self.refused, "Records": [throttled] * self.refused + accepted}


@mock_aws
def test_refused_records_are_sent_again_and_land_once():
    client = boto3.client("kinesis", region_name="us-east-1")
    client.create_stream(StreamName="clicks", ShardCount=2)
    records = [{"Data": f"event-{i}".encode(), "PartitionKey": f"user_{i % 7}"} for i in range(620)]
    flaky = RefusingFirstAttempt(client, refused=3)
    result = send_clickstream.send(flaky, "clicks", records, sleep=lambda s: None, rng=random.Random(1))
    assert (result.sent, result.failed, result.retried, result.requests) == (620, 0, 3, 3)
    assert flaky.calls == [500, 3, 120]
    assert sorted(_records_in(client, "clicks")) == sorted(r["Data"] for r in records)


def test_records_still_refused_after_the_last_attempt_are_counted_failed():
    class AlwaysThrottled:
        def put_records(self, Records, **stream):
            return {
                "FailedRecordCount": 1,
                "Records": [{"SequenceNumber": "1", "ShardId": "s"}] * (len(Records) - 1)
                + [{"ErrorCode": "ProvisionedThroughputExceededException", "ErrorMessage": "slow down"}],
            }

    records = [{"Data": b"a", "PartitionKey": "k"}, {"Data": b"b", "PartitionKey": "k"}]
    result = send_clickstream.send(AlwaysThrottled(), "clicks", records, max_attempts=3, sleep=lambda s: None)
    assert (result.sent, result.failed, result.requests) == (1, 1, 3)


@mock_aws
def test_main_sends_generated_events_to_a_stream_by_arn(capsys):
    client = boto3.client("kinesis", region_name="us-east-1")
    client.create_stream(StreamName="clicks", ShardCount=1)
    arn = client.describe_stream(StreamName="clicks")["StreamDescription"]["StreamARN"]
    assert send_clickstream.main(["--stream", arn, "--count", "700"], client=client) == 0
    assert "sent 700 of 700 events in 2 PutRecords requests" in capsys.readouterr().out
    assert len(_records_in(client, "clicks")) == 700


# --- post_records -----------------------------------------------------------------------------------


def test_requests_are_signed_for_execute_api_in_the_urls_region():
    url = "https://abc123.execute-api.eu-west-1.amazonaws.com/events"
    assert post_records.region_of(url) == "eu-west-1"
    headers = post_records.sigv4_headers(url, b"[]", "eu-west-1", Credentials("AKIDEXAMPLE", "secret"))
    assert headers["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
    assert "/eu-west-1/execute-api/aws4_request" in headers["Authorization"]
    assert "X-Amz-Date" in headers


def test_post_records_lands_every_record_through_the_local_adapter(capsys):
    from lakehouse.local.serve import IngestionServer, LocalRawZone

    with LocalRawZone() as zone, IngestionServer(zone) as server:
        code = post_records.main(["--url", f"{server.url}/events", "--count", "1200", "--no-sign"])
        lines = [json.loads(line) for key in zone.keys() for line in zone.read(key).decode().split("\n") if line]
    assert code == 0
    assert "accepted 1200 of 1200 records; answers: 3 x 202" in capsys.readouterr().out
    assert len({line["event_id"] for line in lines}) == 1200


def test_a_5xx_is_retried_with_the_same_event_ids(monkeypatch):
    from functions.ingestion import handler as ingestion
    from lakehouse.local.serve import IngestionServer, LocalRawZone

    records = post_records.with_ids([{"source": "iot_sensors", "data": {"i": i}} for i in range(3)])
    with LocalRawZone() as zone, IngestionServer(zone) as server:
        client = ingestion._s3()
        real, failures = client.put_object, []

        def fails_once(**kwargs):
            if not failures:
                failures.append(kwargs["Key"])
                raise ClientError({"Error": {"Code": "SlowDown", "Message": "later"}}, "PutObject")
            return real(**kwargs)

        monkeypatch.setattr(client, "put_object", fails_once)
        status, answer, attempts = post_records.send_batch(
            f"{server.url}/events", records, lambda body: {"Content-Type": "application/json"}, sleep=lambda s: None
        )
        stored = [
            json.loads(line)["event_id"] for key in zone.keys() for line in zone.read(key).decode().split("\n") if line
        ]
    assert (status, attempts) == (202, 2)
    assert answer["ids"] == [r["event_id"] for r in records] == stored
