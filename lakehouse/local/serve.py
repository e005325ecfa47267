"""``lakehouse serve ingestion``: the real ingestion handler on 127.0.0.1, storing into in-process moto.

Three parts, each a stand-in for one AWS piece and nothing more:

- ``LocalRawZone``: moto S3 and KMS in this process (``mock_aws``), with the raw bucket and the stack
  key created, and the handler's environment (RAW_BUCKET, KMS_KEY_ARN, region) set while it is open;
  ``copy_to`` mirrors the bucket into a local directory that ``raw_to_processed`` reads;
- ``api_event``: what API Gateway's HTTP API hands the function (payload format 2.0), built from an
  HTTP request: lower-cased headers, ``requestContext.timeEpoch``, and the body base64-encoded when it
  is not text, as API Gateway does for binary media;
- ``IngestionServer``: an HTTP server that routes the paths and methods of the OpenAPI document to the
  handler (anything else: 404, as API Gateway answers an unknown route) and writes its answer back.
  Bodies over 10 MB get 413, API Gateway's own payload limit. No authorization runs locally.
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
import uuid
from collections.abc import Iterable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's account
BUCKET_PREFIX = "lakehouse-local-raw"
API_GATEWAY_MAX_BODY = 10 * 1024 * 1024
_TEXT_MEDIA = ("application/json", "application/xml", "application/javascript", "application/x-www-form-urlencoded")
_HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_HANDLER_ENV = ("RAW_BUCKET", "KMS_KEY_ARN", "AWS_DEFAULT_REGION")


def openapi_document() -> dict[str, Any]:
    """The ingestion API's OpenAPI document (functions/ingestion/openapi.yaml)."""
    return yaml.safe_load(resources.files("functions").joinpath("ingestion/openapi.yaml").read_text())


def routes(document: Mapping[str, Any]) -> set[tuple[str, str]]:
    """(METHOD, path) of every operation of the document."""
    return {
        (method.upper(), path) for path, item in document["paths"].items() for method in item if method in _HTTP_METHODS
    }


class LocalRawZone:
    """The raw bucket and the stack key in in-process moto, and the handler's environment.

    Zones opened while another is open share moto's state (moto's mocks nest), so each gets its own
    bucket: what one zone lists and copies is only what landed in it.
    """

    def __init__(self) -> None:
        self.bucket, self.key_arn = f"{BUCKET_PREFIX}-{uuid.uuid4().hex[:12]}", ""
        self._saved_env: dict[str, str | None] = {}
        self._mock: Any = None

    def __enter__(self) -> LocalRawZone:
        import boto3
        from moto import mock_aws

        self._mock = mock_aws()
        self._mock.start()
        kms = boto3.client("kms", region_name=REGION)
        self.key_arn = kms.create_key(Description="local stack key")["KeyMetadata"]["Arn"]
        self.s3 = boto3.client("s3", region_name=REGION)
        self.s3.create_bucket(Bucket=self.bucket)
        default = {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": self.key_arn}  # as the foundation's raw bucket
        self.s3.put_bucket_encryption(
            Bucket=self.bucket,
            ServerSideEncryptionConfiguration={
                "Rules": [{"ApplyServerSideEncryptionByDefault": default, "BucketKeyEnabled": True}]
            },
        )
        values = {"RAW_BUCKET": self.bucket, "KMS_KEY_ARN": self.key_arn, "AWS_DEFAULT_REGION": REGION}
        self._saved_env = {name: os.environ.get(name) for name in _HANDLER_ENV}
        os.environ.update(values)
        return self

    def __exit__(self, *exc: object) -> None:
        for name, value in self._saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._mock.stop()

    def keys(self) -> list[str]:
        paginator = self.s3.get_paginator("list_objects_v2")
        return sorted(
            item["Key"] for page in paginator.paginate(Bucket=self.bucket) for item in page.get("Contents", [])
        )

    def read(self, key: str) -> bytes:
        return self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()

    def copy_to(self, directory: Path) -> int:
        """Mirror the bucket into ``directory`` (``<directory>/<key>``); returns how many files are new.

        Objects are never rewritten by the handler (every key is unique), so a file already copied is
        skipped.
        """
        copied = 0
        for key in self.keys():
            target = directory / key
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(self.read(key))
                copied += 1
        return copied


def _is_text(content_type: str | None, body: bytes) -> bool:
    media = (content_type or "").split(";")[0].strip().lower()
    textual = not media or media.startswith("text/") or media in _TEXT_MEDIA or media.endswith(("+json", "+xml"))
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return textual


def api_event(
    method: str, path: str, query: str, headers: Mapping[str, str] | Iterable[tuple[str, str]], body: bytes
) -> dict[str, Any]:
    """The payload-2.0 event API Gateway's HTTP API sends a Lambda integration for this request."""
    lowered: dict[str, str] = {}
    for name, value in headers.items() if isinstance(headers, Mapping) else headers:
        key = name.lower()
        lowered[key] = f"{lowered[key]},{value}" if key in lowered else value  # repeated headers join with commas
    now_ms = time.time_ns() // 1_000_000
    route = f"{method} {path}"
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route,
        "rawPath": path,
        "rawQueryString": query,
        "headers": lowered,
        "requestContext": {
            "accountId": ACCOUNT,
            "apiId": "local",
            "domainName": lowered.get("host", "127.0.0.1"),
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": lowered.get("user-agent", ""),
            },
            "requestId": str(uuid.uuid4()),
            "routeKey": route,
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now_ms / 1000)),
            "timeEpoch": now_ms,
        },
        "isBase64Encoded": False,
    }
    if body:
        if _is_text(lowered.get("content-type"), body):
            event["body"] = body.decode("utf-8")
        else:
            event["body"], event["isBase64Encoded"] = base64.b64encode(body).decode("ascii"), True
    return event


class IngestionServer:
    """The ingestion handler behind an HTTP server on 127.0.0.1 (``port`` 0: any free port).

    With ``raw_dir``, what landed in the bucket is copied there after every request.
    """

    def __init__(self, zone: LocalRawZone, port: int = 0, raw_dir: Path | None = None):
        from functions.ingestion.handler import handler

        self.zone, self.raw_dir = zone, raw_dir
        known = routes(openapi_document())
        invoke_lock = threading.Lock()  # one request at a time, like one Lambda execution environment

        class Adapter(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                path, _, query = self.path.partition("?")
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""  # read whole: answering early breaks the pipe
                if length > API_GATEWAY_MAX_BODY:
                    self._write(413, {"message": "Request Entity Too Large"})
                    return
                if (self.command, path) not in known:
                    self._write(404, {"message": "Not Found"})
                    return
                with invoke_lock:
                    answer = handler(api_event(self.command, path, query, self.headers.items(), body), None)
                    if raw_dir is not None:
                        zone.copy_to(raw_dir)
                self._write(answer["statusCode"], answer["body"], answer.get("headers"))

            def _write(self, status: int, body: Any, headers: Mapping[str, str] | None = None) -> None:
                payload = (body if isinstance(body, str) else json.dumps(body)).encode("utf-8")
                self.send_response(status)
                for name, value in (headers or {"Content-Type": "application/json"}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def __getattr__(self, name: str) -> Any:  # do_<METHOD> for every method: routing decides
                if name.startswith("do_"):
                    return self._serve
                raise AttributeError(name)

            def log_message(self, format: str, *args: Any) -> None:  # quiet: the caller prints what matters
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Adapter)
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="ingestion-server", daemon=True)

    def __enter__(self) -> IngestionServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join()


def curl_example(url: str) -> str:
    record = {"source": "iot_sensors", "data": {"device_id": "sensor_001", "temperature": 22.5}}
    return f"curl -s -X POST {url}/events -H 'Content-Type: application/json' -d '{json.dumps(record)}'"


def serve(port: int = 8080, raw_dir: Path | None = None) -> None:
    """Serve the ingestion API on 127.0.0.1:``port`` until interrupted (``lakehouse serve ingestion``)."""
    from rich.console import Console

    console = Console()
    with LocalRawZone() as zone, IngestionServer(zone, port, raw_dir) as server:
        console.print(f"ingestion API on [bold]{server.url}/events[/bold] (S3 and KMS: in-process moto)")
        if raw_dir is not None:
            console.print(f"stored objects are copied to {raw_dir}/raw/ (run raw_to_processed with --bronze {raw_dir})")
        console.print("try:\n  " + curl_example(server.url))
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            console.print("stopped")
