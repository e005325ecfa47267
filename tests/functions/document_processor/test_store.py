"""The store client against a real wire-protocol server: idempotent upserts, the version guard,
indexes, retries, reconnects, and the connection settings for DocumentDB."""

from __future__ import annotations

import json

import boto3
import certifi
import pytest
from moto import mock_aws
from pymongo import MongoClient, ReplaceOne
from pymongo.collection import Collection
from pymongo.errors import AutoReconnect, OperationFailure

from functions.document_processor.store import (
    DOCUMENTS,
    Store,
    StoreConfigError,
    StoreUnavailable,
    client_from_env,
    connection_options,
)
from lakehouse.local.documents import REGION, DocumentServer

from .conftest import store_for


def _docs(store: Store) -> list[dict]:
    return list(store.db[DOCUMENTS].find({}, sort=[("_id", 1)]))


def _versioned(doc_id: str, version: str, **fields) -> dict:
    return {"_id": doc_id, **fields, "_ingest": {"version": version}}


def test_upserting_the_same_documents_twice_leaves_them_as_they_were(store):
    batch = [{"_id": "a", "n": 1}, {"_id": "b", "n": 2}]
    first = store.upsert(DOCUMENTS, batch)
    second = store.upsert(DOCUMENTS, batch)
    assert (first.written, second.written) == (2, 2)
    assert _docs(store) == [{"_id": "a", "n": 1}, {"_id": "b", "n": 2}]


def test_guard_keeps_a_newer_stored_version_and_reports_the_older_one_stale(store):
    store.upsert(DOCUMENTS, [_versioned("a", "002", n=2)], guard="_ingest.version")
    outcome = store.upsert(
        DOCUMENTS, [_versioned("a", "001", n=1), _versioned("b", "001", n=1)], guard="_ingest.version"
    )
    assert (outcome.written, outcome.stale, outcome.rejected) == (1, [0], {})
    assert _docs(store) == [_versioned("a", "002", n=2), _versioned("b", "001", n=1)]


def test_guard_lets_the_same_or_a_newer_version_replace(store):
    store.upsert(DOCUMENTS, [_versioned("a", "002", n=2)], guard="_ingest.version")
    same = store.upsert(DOCUMENTS, [_versioned("a", "002", n=2)], guard="_ingest.version")
    newer = store.upsert(DOCUMENTS, [_versioned("a", "003", n=3)], guard="_ingest.version")
    assert (same.stale, newer.stale) == ([], [])
    assert _docs(store) == [_versioned("a", "003", n=3)]


def test_a_document_the_store_refuses_is_reported_by_position_and_the_rest_is_written(store):
    outcome = store.upsert(DOCUMENTS, [{"_id": "a", "$bad": 1}, {"_id": "b", "ok": 1}])
    assert outcome.written == 1 and list(outcome.rejected) == [0]
    assert outcome.rejected[0].startswith("store refused it (code ")
    assert _docs(store) == [{"_id": "b", "ok": 1}]


def test_indexes_are_created_once_per_store_and_again_by_a_new_process_without_failing(server, database):
    first = store_for(server, database)
    created = first.ensure_indexes(DOCUMENTS)
    assert first.ensure_indexes(DOCUMENTS) is created  # once per process: no second round trip
    first.db[DOCUMENTS].insert_one({"_id": "a", "title": "Lake guide", "content": "iceberg tables on s3"})
    second = store_for(server, database)  # a new Lambda container
    again = second.ensure_indexes(DOCUMENTS)
    listed = sorted(tuple(index["key"].items()) for index in second.db[DOCUMENTS].list_indexes())
    assert created == {
        "timestamp_category": "created",
        "user_action": "created",
        "category_timestamp_priority": "created",
        "text_search": "created",
    }
    assert sorted(again) == sorted(created)
    assert listed == [
        (("_id", 1),),
        (("category", 1), ("timestamp", 1), ("priority", 1)),
        (("timestamp", 1), ("category", 1)),
        (("user_id", 1), ("action", 1)),
    ]
    assert [d["_id"] for d in second.db[DOCUMENTS].find({"$text": {"$search": "iceberg"}})] == ["a"]
    first.close()
    second.close()


def test_transient_failures_are_retried_with_exponential_backoff(store, monkeypatch):
    original, failures, sleeps = Collection.bulk_write, [AutoReconnect("dropped"), AutoReconnect("dropped")], []

    def flaky(self, requests, **kwargs):
        if failures:
            raise failures.pop()
        return original(self, requests, **kwargs)

    monkeypatch.setattr(Collection, "bulk_write", flaky)
    store._sleep = sleeps.append
    outcome = store.upsert(DOCUMENTS, [{"_id": "a"}])
    assert outcome.written == 1 and sleeps == [0.01, 0.02]
    assert _docs(store) == [{"_id": "a"}]


def test_an_authentication_failure_reconnects_with_fresh_credentials(server, database, monkeypatch):
    connects = []

    def connect():
        connects.append(1)
        return MongoClient(server.uri, retryWrites=False)

    original, failures = Collection.bulk_write, [OperationFailure("Authentication failed.", code=18)]

    def rotated(self, requests, **kwargs):
        if failures:
            raise failures.pop()
        return original(self, requests, **kwargs)

    monkeypatch.setattr(Collection, "bulk_write", rotated)
    store = Store(connect, database, first_delay=0)
    assert store.upsert(DOCUMENTS, [{"_id": "a"}]).written == 1
    assert len(connects) == 2
    store.close()


def test_a_non_transient_error_is_raised_at_once(store, monkeypatch):
    sleeps = []

    def bad(self, requests, **kwargs):
        raise OperationFailure("bad value", code=2)

    monkeypatch.setattr(Collection, "bulk_write", bad)
    store._sleep = sleeps.append
    with pytest.raises(OperationFailure, match="bad value"):
        store.upsert(DOCUMENTS, [{"_id": "a"}])
    assert sleeps == []


def test_a_store_that_stays_down_raises_store_unavailable_after_every_attempt(tmp_path, database):
    with DocumentServer(tmp_path) as down:
        pass  # started and stopped: nothing listens on its port now
    sleeps = []
    store = store_for(down, database, attempts=3, timeout_ms=200, sleep=sleeps.append)
    with pytest.raises(StoreUnavailable, match="store still failing after 3 attempts"):
        store.upsert(DOCUMENTS, [{"_id": "a"}])
    assert sleeps == [0.01, 0.02]


def test_secret_connection_uses_tls_with_the_ca_bundle_replica_set_and_no_retryable_writes():
    with mock_aws():
        secrets = boto3.client("secretsmanager", region_name=REGION)
        arn = secrets.create_secret(
            Name="docdb",
            SecretString=json.dumps({"username": "lake", "password": "pw", "host": "docdb.local", "port": 27018}),
        )["ARN"]
        options = connection_options({"DOCDB_SECRET_ARN": arn, "DOCDB_CA_FILE": "/opt/ca.pem"}, secrets)
    assert options == {
        "host": "docdb.local",
        "port": 27018,
        "username": "lake",
        "password": "pw",
        "tls": True,
        "tlsCAFile": "/opt/ca.pem",
        "replicaSet": "rs0",
        "readPreference": "secondaryPreferred",
        "retryWrites": False,
        "serverSelectionTimeoutMS": 5000,
        "connectTimeoutMS": 5000,
        "appname": "lakehouse-documents",
    }


def test_a_secret_without_host_takes_the_endpoint_from_the_environment():
    with mock_aws():
        secrets = boto3.client("secretsmanager", region_name=REGION)
        arn = secrets.create_secret(Name="managed", SecretString='{"username": "u", "password": "p"}')["ARN"]
        env = {"DOCDB_SECRET_ARN": arn, "DOCDB_HOST": "cluster.docdb.amazonaws.com", "DOCDB_CA_FILE": certifi.where()}
        client = client_from_env(env, secrets)
    assert client.topology_description.server_descriptions().keys() == {("cluster.docdb.amazonaws.com", 27017)}
    assert (client.options.retry_writes, client.options.replica_set_name) == (False, "rs0")
    client.close()


def test_a_uri_connection_never_retries_writes_in_the_driver():
    assert connection_options({"DOCDB_URI": "mongodb://127.0.0.1:1/"})["retryWrites"] is False


def test_no_store_in_the_environment_is_a_clear_error():
    with pytest.raises(StoreConfigError, match=r"set DOCDB_SECRET_ARN \(the store's secret\) or DOCDB_URI"):
        connection_options({})


def test_replace_one_operations_are_unordered_upserts(store, monkeypatch):
    seen = {}
    original = Collection.bulk_write

    def spy(self, requests, **kwargs):
        seen.update(kwargs, requests=requests)
        return original(self, requests, **kwargs)

    monkeypatch.setattr(Collection, "bulk_write", spy)
    store.upsert(DOCUMENTS, [{"_id": "a"}])
    assert seen == {"ordered": False, "requests": [ReplaceOne({"_id": "a"}, {"_id": "a"}, upsert=True)]}
