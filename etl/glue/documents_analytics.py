"""AWS Glue script for the documents_analytics job (uploaded to the artifacts bucket by the batch component)."""

from etl.glue.entry import run

if __name__ == "__main__":  # Glue runs the script as __main__
    run("documents_analytics")
