"""``kg-region-code``: a cell must be a code of the administrative divisions."""

from __future__ import annotations

from typing import Iterable, List

import attrs
from frictionless import Check, errors

from ..codelist import LEVELS, admin_divisions


class KgRegionCodeError(errors.CellError):
    type = "kg-region-code"
    title = "Unknown Administrative Division Code"
    description = "The value is not a code of the Kyrgyz administrative divisions list."
    template = (
        'The cell "{cell}" in row at position {rowNumber} and field {fieldName} '
        "at position {fieldNumber} is not a known division code: {note}"
    )


@attrs.define(kw_only=True, repr=False)
class kg_region_code(Check):
    """Check that ``field_name`` holds ``KG`` + 11 digit division codes."""

    type = "kg-region-code"
    Errors = [KgRegionCodeError]

    field_name: str
    levels: List[int] = attrs.field(factory=lambda: [1, 2, 3])

    def validate_start(self) -> Iterable[errors.Error]:
        if self.field_name not in self.resource.schema.field_names:  # type: ignore
            yield errors.CheckError(note=f'kg-region-code requires field "{self.field_name}"')

    def validate_row(self, row) -> Iterable[errors.Error]:
        cell = row[self.field_name]
        if cell is None or cell == "":
            return
        division = admin_divisions().get(str(cell).strip())
        if division is None:
            note = "not in the administrative divisions list"
        elif division.level not in self.levels:
            allowed = ", ".join(LEVELS[level] for level in self.levels)
            note = f"a {LEVELS[division.level]} code where {allowed} is expected"
        else:
            return
        yield KgRegionCodeError.from_row(row, note=note, field_name=self.field_name)

    metadata_profile_patch = {
        "required": ["fieldName"],
        "properties": {
            "fieldName": {"type": "string"},
            "levels": {"type": "array", "items": {"type": "integer"}},
        },
    }
