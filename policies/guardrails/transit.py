"""Encryption in transit: TLS to DocumentDB, MSK and DMS (S3's rule lives in s3.py)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from . import types as t
from .framework import MANDATORY, UNKNOWN, get, listed, must_equal, resource_rule

DOMAIN = "encryption in transit"


@resource_rule(
    "documentdb-tls-enabled",
    "DocumentDB cluster parameter groups keep the tls parameter enabled",
    (t.DOCDB_PARAMETER_GROUP,),
    MANDATORY,
    DOMAIN,
)
def documentdb_tls(props: Any, config: Any, _: str) -> Iterable[str]:
    for parameter in listed(get(props, "parameters")):
        if parameter is UNKNOWN:
            yield "parameters are unknown at preview, so tls cannot be verified"
        elif get(parameter, "name") == "tls":
            value = get(parameter, "value")
            if value is UNKNOWN or str(value).lower() not in ("enabled", "fips-140-3", "tls1.2+", "tls1.3+"):
                yield f"parameter tls must be 'enabled' (or a stricter TLS mode), got {value!r}"


@resource_rule(
    "msk-tls-only",
    "MSK clusters accept TLS only, between clients and brokers and inside the cluster",
    (t.MSK_CLUSTER,),
    MANDATORY,
    DOMAIN,
)
def msk_tls(props: Any, config: Any, _: str) -> Iterable[str]:
    yield from must_equal(props, "encryptionInfo.encryptionInTransit.clientBroker", "TLS", "client-broker TLS only")
    if get(props, "encryptionInfo.encryptionInTransit.inCluster") is False:
        yield "encryptionInfo.encryptionInTransit.inCluster must not be false (broker-to-broker TLS)"


@resource_rule(
    "dms-endpoint-ssl",
    "DMS database endpoints connect with SSL (require, verify-ca or verify-full)",
    (t.DMS_ENDPOINT,),
    MANDATORY,
    DOMAIN,
)
def dms_ssl(props: Any, config: Any, _: str) -> Iterable[str]:
    if get(props, "engineName") in ("s3", "kinesis", "dynamodb"):
        return  # AWS-service targets always use HTTPS; sslMode applies to database engines
    mode = get(props, "sslMode")
    if mode is UNKNOWN or mode not in ("require", "verify-ca", "verify-full"):
        yield f"sslMode must be require, verify-ca or verify-full, got {mode!r}"


RULES = [documentdb_tls, msk_tls, dms_ssl]
