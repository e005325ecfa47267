"""The ingestion API's handler: validates records and stores them in the raw zone (openapi.yaml)."""
