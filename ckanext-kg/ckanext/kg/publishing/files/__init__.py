"""Served as files: a published table's stored CSV and Parquet files, the
rows read back from them, and every download, filtered or whole.

Enters: the rows being swapped into the DataStore (`stored.Version`), and
download requests. Leaves: files named by their checksum under the
storage path, and CSV, CSV for Excel, XLSX, Parquet and JSON downloads
(`downloads`), whole tables from the stored files (`stored_rows`), the
table's versions (`versions`: every publication, its files kept) and
the differences between two of them (`diffs`).
Imports neither `load/` nor `gate/`.
"""
