"""kg_validation: detect, normalise and validate tables uploaded to the portal.

Pure Python, no CKAN import: functions take paths and return reports.
"""

__version__ = "0.1.0"
