"""Turn a :class:`TableValidation` into a report: JSON-ready dict or text.

Errors are capped at ``limit`` with totals per code. The frictionless report
itself is included unchanged under ``"frictionless"`` so that other tools
can read it; every error shown also carries its message in one language.
"""

from __future__ import annotations

from collections import Counter

from .messages import change_message, message, phrase
from .validate import TableValidation

DEFAULT_LIMIT = 100
DELIMITER_SHOWN = {"\t": "TAB"}


def build_report(result: TableValidation, lang: str = "en", limit: int = DEFAULT_LIMIT) -> dict:
    """A JSON-ready report: detection, normalisation, capped errors, totals."""
    errors = _all_errors(result)
    shown = errors[:limit]
    if result.layout:
        _add_sheet_rows(shown, result.layout.row_offset)
    return {
        "valid": result.valid,
        "unreadable": result.unreadable.code if result.unreadable else None,
        "path": result.path,
        "encoding": result.encoding.to_dict() if result.encoding else None,
        "dialect": _dialect(result, lang),
        "sheet": result.layout.to_dict() if result.layout else None,
        "normalisation": _normalisation(result, lang),
        "schema": {"draft": result.schema_is_draft, "descriptor": result.schema},
        "engine": result.engine,
        "columns": result.columns,
        "rowByRowReason": result.row_by_row_reason or None,
        "errors": [dict(error, message=_message(error, lang)) for error in shown],
        "totals": {"errors": len(errors), "shown": len(shown),
                   "byType": dict(Counter(error["type"] for error in errors)),
                   "truncated": _truncated(result)},
        "frictionless": _frictionless(result, limit),
    }


def format_text(report: dict, lang: str = "en") -> str:
    """A short human-readable report in ``lang``."""
    lines = [report["path"]]
    if report["encoding"]:
        encoding = report["encoding"]
        lines.append(f"{phrase('encoding', lang)}: {encoding['encoding']} ({encoding['confidence']:.2f})")
    if report["dialect"]:
        delimiter = report["dialect"]["delimiter"]
        lines.append(f"{phrase('delimiter', lang)}: «{DELIMITER_SHOWN.get(delimiter, delimiter)}»")
        suggestions = report["dialect"]["suggestionMessages"]
        if suggestions:
            lines.append(f"{phrase('suggestions', lang)}:")
            lines.extend(f"  - {text}" for text in suggestions)
    if report["normalisation"]:
        items = report["normalisation"]["changes"] + report["normalisation"]["flags"]
        if items:
            lines.append(f"{phrase('changes', lang)}:")
            lines.extend(f"  - {item['message']}" for item in items)
    if report["schema"]["draft"]:
        lines.append(phrase("draft-schema", lang))
    lines.extend(_summary(report, lang))
    lines.extend(f"  [{error['type']}] {error['message']}" for error in report["errors"])
    return "\n".join(lines)


def _normalisation(result: TableValidation, lang: str) -> dict | None:
    if not result.normalisation:
        return None
    described = result.normalisation.to_dict()
    for item in described["changes"] + described["flags"]:
        item["message"] = change_message(item["kind"], lang, count=item["count"], detail=item["detail"])
    return described


def _dialect(result: TableValidation, lang: str) -> dict | None:
    if not result.dialect:
        return None
    described = result.dialect.to_dict()
    examples = {finding.kind: finding.example for finding in result.dialect.numbers}
    described["suggestionMessages"] = [
        change_message(key, lang, detail=examples.get("irregular-grouping", ""))
        for key in result.dialect.suggestions
    ]
    return described


def _summary(report: dict, lang: str) -> list[str]:
    totals = report["totals"]
    if report["valid"]:
        return [phrase("valid", lang)]
    if report["unreadable"]:
        return [phrase("unreadable", lang)]
    lines = [phrase("invalid", lang, total=totals["errors"])]
    if totals["shown"] < totals["errors"]:
        lines.append(phrase("shown", lang, shown=totals["shown"], total=totals["errors"]))
    return lines


def _all_errors(result: TableValidation) -> list[dict]:
    errors: list[dict] = []
    if result.unreadable:
        errors.append(_unreadable_error(result.unreadable))
    errors.extend(dict(finding) for finding in result.findings)
    if result.report:
        for task in result.report.tasks:
            errors.extend(_error_fields(error.to_descriptor()) for error in task.errors)
        errors.extend(_error_fields(error.to_descriptor()) for error in result.report.errors)
    return errors


def _unreadable_error(unreadable) -> dict:
    """The reason a file is unreadable, with the cell where it was found."""
    error = {"type": unreadable.code, "note": unreadable.detail}
    if unreadable.row is not None:
        error["rowNumber"] = unreadable.row
    if unreadable.field is not None:
        error["fieldNumber"] = unreadable.field
    return error


def _error_fields(descriptor: dict) -> dict:
    keys = ("type", "rowNumber", "fieldNumber", "fieldName", "cell", "label", "note")
    return {key: descriptor[key] for key in keys if key in descriptor}


def _add_sheet_rows(errors: list[dict], offset: int) -> None:
    """Spreadsheet errors also name the row as the publisher sees it in the sheet."""
    for error in errors:
        if error.get("rowNumber"):
            error["sheetRowNumber"] = error["rowNumber"] + offset


def _message(error: dict, lang: str) -> str:
    row = error.get("sheetRowNumber", error.get("rowNumber"))
    return message(
        error["type"], lang, row=row, col=error.get("fieldNumber"),
        name=error.get("fieldName"), cell=error.get("cell", error.get("label")),
        note=error.get("note"),
    )


def _truncated(result: TableValidation) -> bool:
    if not result.report:
        return False
    return any("reached" in warning for task in result.report.tasks for warning in task.warnings)


def _frictionless(result: TableValidation, limit: int) -> dict | None:
    if not result.report:
        return None
    descriptor = result.report.to_descriptor()
    for task in descriptor.get("tasks", []):
        task["errors"] = task.get("errors", [])[:limit]
    return descriptor
