"""Config model of IngestionApi: the single place where its defaults live.

API Gateway's and Lambda's own limits are checked here, so a value AWS would refuse at deploy time
(a throttle above the account quota, a handler that outlives the API's 30-second integration
timeout, a JWT issuer API Gateway cannot discover) is refused at config time with its path.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from ..config import LogRetentionDays, StrictModel

# API Gateway's default account quotas per Region (HTTP APIs): a stage cannot usefully exceed them.
MAX_BURST = 5000
MAX_RATE = 10000
# An HTTP API waits at most 30 seconds for its integration: a handler must answer before that.
MAX_HANDLER_SECONDS = 29


class JwtConfig(StrictModel):
    """A JWT authorizer: tokens from this issuer, for one of these audiences (OIDC or OAuth 2.0)."""

    issuer: str = Field(
        pattern=r"^https://\S+$",
        description="Issuer URL of the tokens (https://...); API Gateway reads its OIDC discovery document.",
    )
    audience: list[str] = Field(
        min_length=1, description="Accepted token audiences (the aud or client_id claim); at least one."
    )
    scopes: list[str] = Field(
        default_factory=list, description="OAuth scopes a token must carry to call the API; empty = any."
    )


class ThrottlingConfig(StrictModel):
    """Stage throttling: what the API admits before answering 429."""

    burst_limit: int = Field(
        default=100, ge=0, le=MAX_BURST, description="Requests admitted at once (token bucket size), 0-5000."
    )
    rate_limit: float = Field(
        default=50.0, ge=0, le=MAX_RATE, description="Steady requests per second admitted, 0-10000."
    )


class IngestionConfig(StrictModel):
    """IngestionApi: HTTP API -> validating Lambda -> raw zone (raw/source=.../)."""

    authorization: Literal["iam", "jwt"] = Field(
        default="iam", description="How callers authenticate: iam (SigV4-signed requests) or jwt (bearer tokens)."
    )
    jwt: JwtConfig | None = Field(
        default=None,
        description="JWT authorizer: issuer (https URL), audience (list) and optional scopes; required when authorization is jwt.",
    )
    throttling: ThrottlingConfig = Field(default_factory=ThrottlingConfig, description="Stage throttling.")
    reserved_concurrency: int = Field(
        default=10, ge=1, description="Concurrent executions reserved for (and capping) the handler."
    )
    memory_mb: int = Field(default=256, ge=128, le=10240, description="Handler memory in MB (128-10240).")
    timeout_seconds: int = Field(
        default=10, ge=1, le=MAX_HANDLER_SECONDS, description="Handler timeout, 1-29 s (the API waits 30 s at most)."
    )
    log_retention_days: LogRetentionDays = Field(
        default=30, description="Retention of the API access logs and the handler's logs."
    )

    @model_validator(mode="after")
    def _jwt_matches_authorization(self) -> IngestionConfig:
        if self.authorization == "jwt" and self.jwt is None:
            raise ValueError("authorization 'jwt' needs jwt.issuer and jwt.audience (set a jwt block)")
        if self.authorization == "iam" and self.jwt is not None:
            raise ValueError("jwt is set but authorization is 'iam': set authorization: jwt, or remove the jwt block")
        return self
