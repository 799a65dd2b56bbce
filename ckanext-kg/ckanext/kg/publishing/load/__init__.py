"""Loaded: a table that passed becomes a typed DataStore table.

Enters: the validator's canonical CSV and the Table Schema (or, loaded
early, the uploaded file while it is being validated). Leaves: the
DataStore table, built beside the live one in one transaction and swapped
in (`swap`), with its data dictionary in every language (`dictionary`),
and the table's stored files written through `files/` with the rows.
Never imports the gate: it is told what to load and reports its progress
to a callback.
"""
