"""DocumentDB: the connection (TLS with the CA bundle, credentials from Secrets Manager), the indexes,
and idempotent bulk upserts that survive a failover, a dropped connection or a rotated password.

Shared by the processor and by the ``documents_analytics`` job (its write-back to ``analytics``).
Locally, ``DOCDB_URI`` points at any MongoDB wire-protocol server instead.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pymongo import ASCENDING, DESCENDING, TEXT, IndexModel, MongoClient, ReplaceOne
from pymongo.database import Database
from pymongo.errors import BulkWriteError, ConnectionFailure, OperationFailure

LOG = logging.getLogger(__name__)
DEFAULT_DATABASE = "lakehouse"
DOCUMENTS, ANALYTICS = "documents", "analytics"
# The Amazon RDS/DocumentDB CA bundle, shipped in the processor's layer (components.document_store.layer).
DEFAULT_CA_FILE = "/opt/docdb/global-bundle.pem"
DEFAULT_PORT = 27017

# The indexes of the document store's seed, and a text index for search (DocumentDB allows one per collection).
INDEXES: dict[str, list[IndexModel]] = {
    DOCUMENTS: [
        IndexModel([("timestamp", ASCENDING), ("category", ASCENDING)], name="timestamp_category"),
        IndexModel([("user_id", ASCENDING), ("action", ASCENDING)], name="user_action"),
        IndexModel(
            [("category", ASCENDING), ("timestamp", ASCENDING), ("priority", ASCENDING)],
            name="category_timestamp_priority",
        ),
        IndexModel([("title", TEXT), ("content", TEXT)], name="text_search"),
    ],
    ANALYTICS: [IndexModel([("computed_at", DESCENDING)], name="computed_at")],
}

DUPLICATE_KEY = 11000
AUTHENTICATION_FAILED = 18
# Server errors that go away on their own: elections, failovers, shutdowns, timeouts (the codes
# MongoDB drivers treat as retryable).
TRANSIENT_CODES = frozenset({6, 7, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436})


class StoreConfigError(RuntimeError):
    """Neither DOCDB_SECRET_ARN nor DOCDB_URI says where the store is."""


class StoreUnavailable(RuntimeError):
    """The store kept failing with transient errors: the caller fails its batch so it is retried."""


def settings_from_env(env: Mapping[str, str]) -> dict[str, Any] | None:
    """Where the store is, from the environment; ``None`` when neither variable is set."""
    if env.get("DOCDB_URI"):
        return {"uri": env["DOCDB_URI"]}
    if env.get("DOCDB_SECRET_ARN"):
        return {"secret_arn": env["DOCDB_SECRET_ARN"]}
    return None


def connection_options(env: Mapping[str, str], secrets: Any = None) -> dict[str, Any]:
    """``MongoClient`` arguments for the store named by the environment.

    ``DOCDB_SECRET_ARN``: a Secrets Manager secret whose JSON has ``username`` and ``password``
    (and ``host``/``port``, else ``DOCDB_HOST``/``DOCDB_PORT``), reached over TLS verified with
    ``DOCDB_CA_FILE``. ``DOCDB_URI``: a connection string, for local runs.
    """
    where = settings_from_env(env)
    if where is None:
        raise StoreConfigError("set DOCDB_SECRET_ARN (the store's secret) or DOCDB_URI (a local server)")
    timeout_ms = int(env.get("DOCDB_TIMEOUT_MS", "5000"))
    common: dict[str, Any] = {
        "retryWrites": False,  # DocumentDB does not support retryable writes; Store retries itself
        "serverSelectionTimeoutMS": timeout_ms,
        "connectTimeoutMS": timeout_ms,
        "appname": "lakehouse-documents",
    }
    if "uri" in where:
        return {"host": where["uri"], **common}
    if secrets is None:
        import boto3

        secrets = boto3.client("secretsmanager")
    secret = json.loads(secrets.get_secret_value(SecretId=where["secret_arn"])["SecretString"])
    return {
        "host": secret.get("host") or env["DOCDB_HOST"],
        "port": int(secret.get("port") or env.get("DOCDB_PORT", DEFAULT_PORT)),
        "username": secret["username"],
        "password": secret["password"],
        "tls": True,
        "tlsCAFile": env.get("DOCDB_CA_FILE", DEFAULT_CA_FILE),
        "replicaSet": "rs0",  # every DocumentDB cluster is replica set rs0
        "readPreference": "secondaryPreferred",
        **common,
    }


def client_from_env(env: Mapping[str, str] | None = None, secrets: Any = None) -> MongoClient:
    """A client for the store the environment names. The secret is read on every call, so the
    reconnect after an authentication failure picks up a rotated password."""
    return MongoClient(**connection_options(os.environ if env is None else env, secrets))


@dataclass
class Outcome:
    """What an upsert did, by position in the list it was given."""

    written: int = 0
    stale: list[int] = field(default_factory=list)  # a newer version is already stored
    rejected: dict[int, str] = field(default_factory=dict)  # refused by the store for good, with why


class Store:
    """One database of the store, connected lazily, with retries around every operation.

    ``attempts`` tries with exponential backoff from ``first_delay`` seconds: with the defaults a
    store that is down for ~8 s is ridden out inside one invocation; longer, and the batch fails.
    """

    def __init__(
        self,
        connect: Callable[[], MongoClient],
        database: str = DEFAULT_DATABASE,
        *,
        attempts: int = 5,
        first_delay: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self._connect, self.database = connect, database
        self.attempts, self.first_delay, self._sleep = attempts, first_delay, sleep
        self._client: MongoClient | None = None
        self._indexed: dict[str, dict[str, str]] = {}

    @property
    def db(self) -> Database:
        if self._client is None:
            self._client = self._connect()
        return self._client[self.database]

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def ensure_indexes(self, collection: str) -> dict[str, str]:
        """Create a collection's indexes, once per process (creating an existing index is a no-op).

        Indexes speed up queries; they must not stop ingestion. An index the store refuses for good
        (an engine version without text indexes, a conflicting index made by hand) is logged and
        skipped; the result says, per index, ``created`` or why not.
        """
        if collection in self._indexed:
            return self._indexed[collection]
        results: dict[str, str] = {}
        for model in INDEXES[collection]:
            name = model.document["name"]
            try:
                self._with_retries(functools.partial(self.db[collection].create_indexes, [model]))
                results[name] = "created"
            except OperationFailure as error:
                results[name] = f"refused: {error}"
                LOG.warning("index %s.%s not created: %s", collection, name, error)
        self._indexed[collection] = results
        return results

    def upsert(self, collection: str, documents: Sequence[dict[str, Any]], guard: str | None = None) -> Outcome:
        """Replace each document by ``_id`` (inserting it if new), unordered, in one bulk write.

        With ``guard`` (a dotted field holding a version string), a stored document with a higher
        version is left alone: replaying an old batch after a newer one changes nothing.
        """
        if not documents:
            return Outcome()
        operations = [ReplaceOne(_filter(doc, guard), doc, upsert=True) for doc in documents]

        def write() -> list[dict[str, Any]]:
            try:
                self.db[collection].bulk_write(operations, ordered=False)
                return []
            except BulkWriteError as error:
                if _transient(error):
                    raise
                return list(error.details.get("writeErrors", []))

        errors = self._with_retries(write)
        outcome = Outcome()
        for error in errors:
            if guard and error["code"] == DUPLICATE_KEY:
                outcome.stale.append(error["index"])  # filter missed because a newer version is stored
            else:
                outcome.rejected[error["index"]] = f"store refused it (code {error['code']}): {error['errmsg']}"
        outcome.written = len(documents) - len(errors)
        return outcome

    def _with_retries(self, operation: Callable[[], Any]) -> Any:
        attempt, delay = 1, self.first_delay
        while True:
            try:
                return operation()
            except (ConnectionFailure, OperationFailure) as error:
                if isinstance(error, OperationFailure) and error.code == AUTHENTICATION_FAILED:
                    self.close()  # the password was rotated: the next attempt reads the secret again
                elif not _transient(error):
                    raise
                if attempt >= self.attempts:
                    raise StoreUnavailable(f"store still failing after {attempt} attempts: {error}") from error
                self._sleep(delay)
                attempt, delay = attempt + 1, delay * 2


def _filter(document: dict[str, Any], guard: str | None) -> dict[str, Any]:
    if guard is None:
        return {"_id": document["_id"]}
    version: Any = document
    for part in guard.split("."):
        version = version[part]
    return {"_id": document["_id"], "$or": [{guard: {"$lte": version}}, {guard: {"$exists": False}}]}


def _transient(error: Exception) -> bool:
    if isinstance(error, ConnectionFailure):
        return True
    if isinstance(error, BulkWriteError):
        details = error.details or {}
        return bool(details.get("writeConcernErrors")) or any(
            e.get("code") in TRANSIENT_CODES for e in details.get("writeErrors", [])
        )
    if isinstance(error, OperationFailure):
        return error.code in TRANSIENT_CODES or error.has_error_label("RetryableWriteError")
    return False
