"""Judged: a table's file (uploaded, or fetched from its URL within limits)
is validated with kg_validation, at once or by the jobs worker, whenever
its file, URL or Table Schema changes.

Enters: a resource after every committed create or update, or a retry.
Leaves: its report, stored against the checksum of the file it judged
(`reports`), the state and progress of the run (`state`), and, for a
table that passed, the call into `load/`. Until a file's report is a
success, the portal does not serve it (`serving`).
"""
