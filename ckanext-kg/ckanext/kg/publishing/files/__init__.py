"""Served as files: a published table's stored CSV and Parquet files, the
rows read back from them, and every download, filtered or whole.

Enters: the rows being swapped into the DataStore (`stored.Version`), and
download requests. Leaves: files named by their checksum under the
storage path, and CSV, CSV for Excel, XLSX, Parquet and JSON downloads
(`downloads`), whole tables from the stored files (`stored_rows`). The
place for a table's earlier versions and their differences, later.
Imports neither `load/` nor `gate/`.
"""
