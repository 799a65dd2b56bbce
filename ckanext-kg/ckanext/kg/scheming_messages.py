"""Messages of ckanext-scheming that CKAN's catalogue lacks.

ckanext-scheming ships no catalogue at all; CKAN's own has most of its
words ("Visibility", "Private"), not these. Listed here, they are extracted
into the portal's catalogue (`ckanext-kg.pot`), and since CKAN merges every
plugin's catalogue they are translated wherever scheming shows them.
"""
from __future__ import annotations


def _(message: str) -> str:
    """Marks a message for extraction; it is translated where it is shown."""
    return message


MESSAGES = (
    # a dataset's state, shown to its editors as `_(pkg_dict.state)`
    _("active"),
    _("draft"),
    _("deleted"),
    _("No organization"),
    _("Next"),
    _("Update {page}"),
    _("Select at least one"),
    _("These fields have been removed, click update below to save your changes."),
    _("These fields have been removed."),
    _("Date is required when a time is provided"),
    _("Time format incorrect"),
    _("Invalid JSON object: {}"),
    _("Invalid JSON string: {}"),
    _("Are you sure you want to delete this Organization?"),
)
