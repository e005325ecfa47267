"""The document processor: documents from a Kinesis stream or an MSK topic, upserted into DocumentDB
and written to the lake's bronze zone (the dual write of the document store).

``records`` reads both Lambda event shapes and validates documents, ``store`` talks to DocumentDB
(also used by the ``documents_analytics`` job), ``lake`` names and writes bronze objects, and
``handler`` ties them together.
"""
