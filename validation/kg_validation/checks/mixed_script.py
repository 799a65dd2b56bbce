"""``kg-mixed-script``: words mixing look-alike Latin and Cyrillic letters.

Real case: the SDG workbooks 1.4.1 and 2.2.2 write "Еducation" and
"Оverweight" with a Cyrillic first letter.
"""

from __future__ import annotations

from typing import Iterable, List, Optional

import attrs
from frictionless import Check, errors

from ..scripts import find_mixed_script_words


class KgMixedScriptError(errors.CellError):
    type = "kg-mixed-script"
    title = "Mixed Script"
    description = "A word mixes look-alike Latin and Cyrillic letters."
    template = (
        'The cell "{cell}" in row at position {rowNumber} and field {fieldName} '
        "at position {fieldNumber} mixes Latin and Cyrillic letters in a word: {note}"
    )


@attrs.define(kw_only=True, repr=False)
class kg_mixed_script(Check):
    """Check string cells (of ``field_names``, or all) for mixed-script words."""

    type = "kg-mixed-script"
    Errors = [KgMixedScriptError]

    field_names: Optional[List[str]] = None

    def validate_row(self, row) -> Iterable[errors.Error]:
        for name in self.field_names or row.field_names:
            cell = row[name]
            if not isinstance(cell, str) or cell.isascii():
                continue
            words = find_mixed_script_words(cell)
            if words:
                yield KgMixedScriptError.from_row(row, note=", ".join(words), field_name=name)

    metadata_profile_patch = {
        "properties": {"fieldNames": {"type": "array", "items": {"type": "string"}}},
    }
