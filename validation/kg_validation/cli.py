"""``kg-validate``: check one table from the command line.

Exit codes: 0 valid, 1 invalid, 2 unreadable file or bad arguments.
"""

from __future__ import annotations

import argparse
import json
import sys

from .filekind import DEFAULT_MAX_BYTES
from .memory import use_jemalloc
from .messages import LANGUAGES, phrase
from .report import DEFAULT_LIMIT, build_report, format_text
from .validate import CheckOptions, validate_table

EXIT_VALID, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kg-validate",
        description="Detect encoding and dialect, normalise and validate a CSV, XLSX or ODS table.",
    )
    parser.add_argument("path", help="the table to check: delimited text, .xlsx or .ods")
    parser.add_argument("--schema", help="Table Schema file (JSON or YAML); "
                        "without it a draft schema is inferred")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--lang", choices=LANGUAGES, default="en",
                        help="language of the messages (default: en)")
    parser.add_argument("--output", help="write the canonical UTF-8 CSV here")
    parser.add_argument("--encoding", help="use this encoding instead of detecting it")
    parser.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BYTES,
                        help="refuse files larger than this (default: %(default)s)")
    parser.add_argument("--limit", type=int, default=DEFAULT_LIMIT,
                        help="show at most this many errors (default: %(default)s)")
    parser.add_argument("--sheet", default="1",
                        help="XLSX/ODS: sheet name or 1-based number (default: 1)")
    parser.add_argument("--header-rows", type=_row_numbers,
                        help="XLSX/ODS: header rows, e.g. 4,5 (default: detected)")
    parser.add_argument("--region-code-field", help="column checked with kg-region-code")
    parser.add_argument("--inn-field", help="column checked with kg-inn")
    parser.add_argument("--phone-field", help="column checked with kg-phone")
    parser.add_argument("--no-mixed-script", action="store_true",
                        help="do not run the kg-mixed-script check")
    parser.add_argument("--no-fast", action="store_true",
                        help="validate row by row with frictionless only (no pyarrow fast path)")
    return parser


def _row_numbers(text: str) -> list[int]:
    try:
        numbers = [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected row numbers like 4,5: {text!r}")
    if not numbers or min(numbers) < 1:
        raise argparse.ArgumentTypeError(f"row numbers start at 1: {text!r}")
    return numbers


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    use_jemalloc()
    options = CheckOptions(
        region_code_field=args.region_code_field, inn_field=args.inn_field,
        phone_field=args.phone_field, mixed_script=not args.no_mixed_script,
        fast=not args.no_fast,
    )
    try:
        result = validate_table(
            args.path, args.schema, options=options, output=args.output,
            encoding=args.encoding, max_bytes=args.max_bytes,
            sheet=int(args.sheet) if args.sheet.isdigit() else args.sheet,
            header_rows=args.header_rows,
        )
        report = build_report(result, args.lang, max(args.limit, 0))
    except Exception as error:  # last resort: bad input must never print a traceback
        print(f"{phrase('unreadable', args.lang)} {type(error).__name__}: {error}", file=sys.stderr)
        return EXIT_UNREADABLE
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2, default=str))
    else:
        print(format_text(report, args.lang))
    if result.unreadable:
        return EXIT_UNREADABLE
    return EXIT_VALID if result.valid else EXIT_INVALID


if __name__ == "__main__":
    sys.exit(main())
