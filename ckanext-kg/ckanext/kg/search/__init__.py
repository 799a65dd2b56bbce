"""PostgreSQL search backend: CKAN's package search without Solr."""
