"""The document processor against a real MongoDB wire-protocol server and moto S3/KMS."""
