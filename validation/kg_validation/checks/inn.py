"""``kg-inn``: a taxpayer identification number (ИНН / СТН) is 14 digits.

The rule implemented is only the one we can source from the data the portal
publishes: exactly 14 ASCII digits, leading zeros significant. No check digit
or inner structure (date of birth, sex, registration date) is verified,
because no official public specification of such a rule was available to us;
adding one would reject valid numbers on a guess.

The raw text of the cell is checked, so a field typed ``integer`` (which
would drop leading zeros) is still judged on what the publisher wrote.
"""

from __future__ import annotations

import re
from typing import Iterable

import attrs
from frictionless import Check, errors

INN = re.compile(r"[0-9]{14}")


class KgInnError(errors.CellError):
    type = "kg-inn"
    title = "Invalid Taxpayer Identification Number"
    description = "A Kyrgyz taxpayer identification number (INN) is exactly 14 digits."
    template = (
        'The cell "{cell}" in row at position {rowNumber} and field {fieldName} '
        "at position {fieldNumber} is not a 14-digit INN: {note}"
    )


@attrs.define(kw_only=True, repr=False)
class kg_inn(Check):
    """Check that ``field_name`` holds 14-digit INNs (empty cells are skipped)."""

    type = "kg-inn"
    Errors = [KgInnError]

    field_name: str

    def validate_start(self) -> Iterable[errors.Error]:
        if self.field_name not in self.resource.schema.field_names:  # type: ignore
            yield errors.CheckError(note=f'kg-inn requires field "{self.field_name}"')

    def validate_row(self, row) -> Iterable[errors.Error]:
        text = _raw_text(row, self.field_name)
        if text and not INN.fullmatch(text):
            note = f"{len(text)} characters" if text.isdigit() else "contains non-digits"
            yield KgInnError.from_row(row, note=note, field_name=self.field_name)

    metadata_profile_patch = {
        "required": ["fieldName"],
        "properties": {"fieldName": {"type": "string"}},
    }


def _raw_text(row, field_name: str) -> str:
    """The cell as written in the source, before type conversion."""
    index = row.field_names.index(field_name)
    cells = row.cells
    value = cells[index] if index < len(cells) else None
    return "" if value is None else str(value).strip()
