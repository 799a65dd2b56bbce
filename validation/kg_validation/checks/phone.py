"""``kg-phone``: a Kyrgyz telephone number in international form.

Rule: ``+996`` (the ITU-T E.164 country code of Kyrgyzstan) followed by the
9-digit national significant number; spaces, hyphens and parentheses
between digits are allowed. Numbers written in national form (``0...``) are
reported, since the portal publishes one form.
"""

from __future__ import annotations

import re
from typing import Iterable

import attrs
from frictionless import Check, errors

SEPARATORS = re.compile(r"[\s\-()\u00a0]")
PHONE = re.compile(r"\+996[0-9]{9}")


class KgPhoneError(errors.CellError):
    type = "kg-phone"
    title = "Invalid Phone Number"
    description = "A Kyrgyz phone number is +996 followed by 9 digits."
    template = (
        'The cell "{cell}" in row at position {rowNumber} and field {fieldName} '
        "at position {fieldNumber} is not a +996 phone number: {note}"
    )


@attrs.define(kw_only=True, repr=False)
class kg_phone(Check):
    """Check that ``field_name`` holds +996 phone numbers (empty cells skipped)."""

    type = "kg-phone"
    Errors = [KgPhoneError]

    field_name: str

    def validate_start(self) -> Iterable[errors.Error]:
        if self.field_name not in self.resource.schema.field_names:  # type: ignore
            yield errors.CheckError(note=f'kg-phone requires field "{self.field_name}"')

    def validate_row(self, row) -> Iterable[errors.Error]:
        cell = row[self.field_name]
        if cell is None or cell == "":
            return
        if not PHONE.fullmatch(SEPARATORS.sub("", str(cell))):
            yield KgPhoneError.from_row(row, note="expected +996 and 9 digits", field_name=self.field_name)

    metadata_profile_patch = {
        "required": ["fieldName"],
        "properties": {"fieldName": {"type": "string"}},
    }
