"""The lakehouse command line: offline plan, config reference (and, later, run/demo/generate)."""
