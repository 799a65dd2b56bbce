"""The CKAN side of ingestion: validate every uploaded table, keep reports."""
