"""Writes of the ETL app: ``etl.services.sync`` (start a sync, run it)."""
