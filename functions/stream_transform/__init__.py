"""The clickstream's Firehose data-transformation handler: validate and enrich each event."""
