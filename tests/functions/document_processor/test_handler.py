"""The processor end to end: a real wire-protocol server as the store, moto S3 + KMS as the lake."""

from __future__ import annotations

import json
from types import SimpleNamespace

import boto3
import pytest
from botocore.exceptions import ClientError
from pymongo.collection import Collection
from pymongo.errors import AutoReconnect

from functions.document_processor import handler as entry
from functions.document_processor.handler import Processor
from functions.document_processor.store import DOCUMENTS, StoreUnavailable
from lakehouse.local.documents import FIRST_SEQUENCE, REGION, DocumentServer, kinesis_event, msk_event

from .conftest import record, store_for

SEQ = str(FIRST_SEQUENCE)
DAY_24 = "year=2025/month=11/day=24"
DAY_25 = "year=2025/month=11/day=25"

CMS = {"_id": "cms-1", "doc_type": "cms_document", "title": "Guide", "metadata": {"tags": ["a"]}}
SENSOR = {"id": "sensor-7", "doc_type": "sensor_reading", "readings": {"temperature": 21.5}}
EVENT = {"id": 100042, "doc_type": "customer_event", "event_type": "page_view"}


def _stored(processor: Processor) -> dict[str, dict]:
    return {doc["_id"]: doc for doc in processor.store.db[DOCUMENTS].find()}


def _without_ingest(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if k != "_ingest"}


def test_mixed_document_types_are_stored_by_id_and_written_to_the_lake_by_type_and_day(processor, lake):
    summary = processor.process(kinesis_event([record(CMS), record(SENSOR, 1), record(EVENT, 3)]))
    stored = _stored(processor)
    assert {key: _without_ingest(doc) for key, doc in stored.items()} == {
        "cms-1": CMS,
        "sensor-7": {"_id": "sensor-7", **SENSOR},
        "100042": {"_id": "100042", **EVENT},
    }
    assert stored["100042"]["_ingest"] == {
        "source": "shardId-000000000000",
        "position": str(FIRST_SEQUENCE + 2),
        "arrival": "2025-11-25T00:00:01Z",
        "version": f"001764028801000.{len(SEQ):03d}{FIRST_SEQUENCE + 2}",
    }
    assert lake.keys() == [
        f"bronze/documents/doc_type=cms_document/{DAY_24}/shardId-000000000000-{SEQ}.json",
        f"bronze/documents/doc_type=customer_event/{DAY_25}/shardId-000000000000-{SEQ}.json",
        f"bronze/documents/doc_type=sensor_reading/{DAY_24}/shardId-000000000000-{SEQ}.json",
    ]
    assert lake.lines(lake.keys()[1]) == [stored["100042"]]
    assert (summary["records"], summary["stored"], summary["stale"], summary["rejected"]) == (3, 3, 0, 0)


def test_malformed_documents_go_to_the_error_prefix_and_the_rest_is_stored(processor, lake):
    summary = processor.process(
        kinesis_event([record(b"not json"), record(CMS, 1), record({"doc_type": "cms_document"}, 1)])
    )
    errors = lake.lines(f"bronze/documents/_errors/{DAY_24}/shardId-000000000000-{SEQ}.json")
    assert [(e["position"], e["reason"], e["raw"]) for e in errors] == [
        (SEQ, "not JSON: Expecting value: line 1 column 1 (char 0)", "not json"),
        (str(FIRST_SEQUENCE + 2), "_id or id: required", '{"doc_type": "cms_document"}'),
    ]
    assert list(_stored(processor)) == ["cms-1"]
    assert (summary["stored"], summary["rejected"]) == (1, 2)


def test_a_replayed_batch_changes_nothing_in_the_store_or_the_lake(processor, lake):
    event = kinesis_event([record(CMS), record(SENSOR, 1), record(b"[]", 2)])
    processor.process(event)
    stored, objects = _stored(processor), lake.bodies()
    processor.process(event)
    assert _stored(processor) == stored
    assert lake.bodies() == objects


def test_an_old_batch_replayed_after_a_newer_version_leaves_the_newer_version(processor):
    old = kinesis_event([record({**CMS, "title": "v1"})])
    processor.process(old)
    processor.process(kinesis_event([record({**CMS, "title": "v2"}, 5)], FIRST_SEQUENCE + 1))
    replay = processor.process(old)
    assert _stored(processor)["cms-1"]["title"] == "v2"
    assert (replay["stored"], replay["stale"]) == (0, 1)


def test_two_versions_of_a_document_in_one_batch_store_the_later_and_keep_both_in_the_lake(processor, lake):
    summary = processor.process(kinesis_event([record({**CMS, "title": "v1"}), record({**CMS, "title": "v2"}, 1)]))
    assert _stored(processor)["cms-1"]["title"] == "v2"
    (key,) = lake.keys()
    assert [line["title"] for line in lake.lines(key)] == ["v1", "v2"]
    assert (summary["stored"], summary["stale"]) == (1, 1)


def test_an_msk_batch_is_stored_and_named_after_its_topic_partition_and_first_offset(processor, lake):
    processor.process(msk_event([record(CMS), record(SENSOR)], topic="documents", partition=2, first_offset=40))
    assert sorted(_stored(processor)) == ["cms-1", "sensor-7"]
    assert lake.keys() == [
        f"bronze/documents/doc_type=cms_document/{DAY_24}/documents-2-40.json",
        f"bronze/documents/doc_type=sensor_reading/{DAY_24}/documents-2-40.json",
    ]


def test_lake_objects_are_encrypted_with_the_stack_key(processor, lake):
    processor.process(kinesis_event([record(CMS)]))
    head = lake.s3.head_object(Bucket=lake.bucket, Key=lake.keys()[0])
    assert (head["ServerSideEncryption"], head["SSEKMSKeyId"]) == ("aws:kms", lake.key_arn)
    assert head["ContentType"] == "application/x-ndjson"


def test_a_connection_lost_mid_batch_is_retried_and_nothing_is_lost_or_doubled(processor, lake, monkeypatch):
    original, dropped = Collection.bulk_write, []

    def drop_after_half(self, requests, **kwargs):
        if not dropped:  # the first half reaches the store, then the connection drops
            dropped.append(1)
            original(self, requests[: len(requests) // 2], **kwargs)
            raise AutoReconnect("connection reset by peer")
        return original(self, requests, **kwargs)

    monkeypatch.setattr(Collection, "bulk_write", drop_after_half)
    docs = [{"_id": f"d{i}", "doc_type": "cms_document", "i": i} for i in range(6)]
    summary = processor.process(kinesis_event([record(doc, i) for i, doc in enumerate(docs)]))
    assert sorted((d["_id"], d["i"]) for d in _stored(processor).values()) == [(f"d{i}", i) for i in range(6)]
    assert processor.store.db[DOCUMENTS].count_documents({}) == 6
    assert summary["stored"] == 6 and dropped == [1]
    assert sum(len(lake.lines(key)) for key in lake.keys()) == 6


def test_a_store_outage_fails_the_batch_and_the_retry_after_recovery_loses_and_doubles_nothing(
    tmp_path, database, lake
):
    event = kinesis_event([record(CMS), record(SENSOR, 1), record(EVENT, 2)])
    with DocumentServer(tmp_path) as server:
        store = store_for(server, database, attempts=2, timeout_ms=300)
        processor = Processor(store, lake.s3, lake.bucket, lake.key_arn)
        processor.process(kinesis_event([record({**CMS, "title": "earlier"})], FIRST_SEQUENCE - 10))
        server.stop()  # the outage: Lambda's first attempt at the batch fails as a whole
        with pytest.raises(StoreUnavailable):
            processor.process(event)
        keys_during_outage = lake.keys()
        server.start()  # recovered: Lambda retries the same batch
        processor.process(event)
        stored = _stored(processor)
        store.close()
    assert keys_during_outage == [
        f"bronze/documents/doc_type=cms_document/{DAY_24}/shardId-000000000000-{FIRST_SEQUENCE - 10}.json"
    ]
    assert sorted(stored) == ["100042", "cms-1", "sensor-7"] and stored["cms-1"]["title"] == "Guide"
    assert sum(len(lake.lines(key)) for key in lake.keys()) == 4  # the earlier batch's line and these three


def test_a_lake_failure_fails_the_batch_and_the_retry_writes_it_once(processor, lake):
    event = kinesis_event([record(CMS)])
    broken = Processor(processor.store, lake.s3, "no-such-bucket", lake.key_arn)
    with pytest.raises(ClientError, match="NoSuchBucket"):
        broken.process(event)
    processor.process(event)  # the retry, once the lake is reachable
    (key,) = lake.keys()
    assert [line["_id"] for line in lake.lines(key)] == ["cms-1"]
    assert list(_stored(processor)) == ["cms-1"]


def test_handler_reads_its_settings_from_the_environment_and_logs_metrics(server, database, lake, monkeypatch, capsys):
    for name, value in {
        "DOCDB_URI": server.uri,
        "DOCDB_DATABASE": database,
        "RAW_BUCKET": lake.bucket,
        "KMS_KEY_ARN": lake.key_arn,
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(name, value)
    entry.container_processor.cache_clear()
    context = SimpleNamespace(function_name="lakehouse-test-document-processor")
    summary = entry.handler(kinesis_event([record(CMS), record(b"{}", 1)]), context)
    entry.container_processor().store.close()
    entry.container_processor.cache_clear()
    emf = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (summary["stored"], summary["rejected"]) == (1, 1)
    assert {k: emf[k] for k in ("FunctionName", "Records", "Stored", "Stale", "Rejected")} == {
        "FunctionName": "lakehouse-test-document-processor",
        "Records": 2,
        "Stored": 1,
        "Stale": 0,
        "Rejected": 1,
    }
    assert emf["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "Lakehouse/Documents"
    assert boto3.client("s3", region_name=REGION).list_objects_v2(Bucket=lake.bucket)["KeyCount"] == 2
