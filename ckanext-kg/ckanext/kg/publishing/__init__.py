"""The CKAN side of ingestion: one room per stage a table walks through.

A table enters `gate/` (judged: fetched, validated, its report kept;
nothing invalid is served), then `load/` (its typed DataStore table built
beside the live one and swapped in), then `files/` (its stored CSV and
Parquet files, and every download). `ingest` drives the three for a
folder of Data Packages; `undo` takes back what a failed resource action
left in any of them. Imports flow one way: gate -> load -> files ->
kg_validation (`tests/test_import_layers.py`).
"""
