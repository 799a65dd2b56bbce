"""``kg-publish``: publish a Data Package folder from an agency's own machine.

    KG_API_TOKEN=... kg-publish DIR --portal https://data.example.kg

Every table is validated here first, with the portal's own engine; if one
fails, its report is printed and nothing is sent. Then the dataset is
created (privately) or updated through the portal's Action API, each new
or changed table uploaded (a table whose file the portal already holds,
by SHA-256, is not sent again), and the portal's own verdict on each table
awaited (``kg_validation_show``). If the portal disagrees, its report is
printed. The dataset is made public once every table passed on the portal
and the data-exchange code is met.

The API token is read from the environment (``KG_API_TOKEN``), never from
the command line, where other users of the machine could see it.

Exit codes: 0 published, 1 refused (locally or by the portal), 2 bad
arguments, unreadable folder, or the portal unreachable.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any, Callable

from .datapackage import (
    DESCRIPTOR,
    PackageError,
    data_file,
    package_fields,
    read_descriptor,
    resource_fields,
    same_metadata,
    same_table,
    sha256,
)
from .messages import LANGUAGES
from .report import build_report, format_text
from .validate import validate_table

EXIT_PUBLISHED, EXIT_REFUSED, EXIT_UNUSABLE = 0, 1, 2
TOKEN_VARIABLE = "KG_API_TOKEN"
USER_AGENT = "kg-publish (kg_validation)"
PENDING = ("queued", "running")
Say = Callable[[str], None]


class Refused(Exception):
    """The package is not published; the message says why."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kg-publish",
        description="Validate a Data Package folder locally, then create or update its "
                    f"dataset on the portal. The API token is read from ${TOKEN_VARIABLE}.")
    parser.add_argument("folder", type=Path, help=f"the folder holding {DESCRIPTOR}")
    parser.add_argument("--portal", required=True, help="the portal's address, e.g. https://data.gov.kg")
    parser.add_argument("--lang", choices=LANGUAGES, default="en",
                        help="language of validation reports (default: en)")
    parser.add_argument("--wait", type=float, default=600,
                        help="seconds to wait for the portal's validation of each table (default: 600)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    token = os.environ.get(TOKEN_VARIABLE, "").strip()
    if not token:
        print(f"Set {TOKEN_VARIABLE} to an API token of an editor of the agency "
              "(create one on your user page on the portal).", file=sys.stderr)
        return EXIT_UNUSABLE
    try:
        descriptor = read_descriptor(args.folder / DESCRIPTOR)
    except PackageError as error:
        print(f"{args.folder}: not a Data Package: {error}", file=sys.stderr)
        return EXIT_UNUSABLE
    if not check_locally(args.folder, descriptor, args.lang, _say):
        print("Nothing was sent to the portal: fix the tables above and run again.", file=sys.stderr)
        return EXIT_REFUSED
    return _publish(args, token, descriptor)


def _say(message: str) -> None:
    print(message, flush=True)


def check_locally(folder: Path, descriptor: dict[str, Any], lang: str, say: Say) -> bool:
    """Validate every table with the portal's engine; print each failing
    table's report. True when all pass."""
    passed = True
    for resource in descriptor.get("resources") or []:
        schema = resource.get("schema") or None
        result = validate_table(data_file(folder, resource["path"]), schema)
        if result.valid and schema:
            say(f"{resource['name']}: valid")
            continue
        passed = False
        say(f"{resource['name']}: " + ("no Table Schema in the descriptor" if result.valid
                                      else "does not pass validation"))
        if not result.valid:
            say(format_text(build_report(result, lang), lang))
    return passed


def _publish(args: argparse.Namespace, token: str, descriptor: dict[str, Any]) -> int:
    import ckanapi
    import requests

    from .upload import StreamingCKAN
    address = args.portal.rstrip("/")
    portal = StreamingCKAN(address, apikey=token, user_agent=USER_AGENT)
    # the portal answers in the language its address names (/ky/, /ru/, /en/)
    reader = ckanapi.RemoteCKAN(f"{address}/{args.lang}", apikey=token, user_agent=USER_AGENT)
    try:
        publish(portal, args.folder, descriptor, _say, args.wait, reader, args.lang)
    except Refused as error:
        print(str(error), file=sys.stderr)
        return EXIT_REFUSED
    except ckanapi.errors.NotAuthorized as error:
        print(f"The portal refused: not authorised ({_detail(error)}). Is the token an "
              "editor's of the agency named in kg.publisher?", file=sys.stderr)
        return EXIT_REFUSED
    except ckanapi.errors.ValidationError as error:
        print(f"The portal refused the metadata: {_detail(error)}", file=sys.stderr)
        return EXIT_REFUSED
    except (ckanapi.errors.CKANAPIError, requests.RequestException) as error:
        print(f"Cannot talk to the portal at {args.portal}: {_detail(error)}", file=sys.stderr)
        return EXIT_UNUSABLE
    return EXIT_PUBLISHED


def _detail(error: Exception) -> str:
    detail = error.args[0] if error.args else error
    if isinstance(detail, dict):
        detail = {k: v for k, v in detail.items() if k != "__type"}
        return json.dumps(detail, ensure_ascii=False)
    return str(detail)


def publish(portal: Any, folder: Path, descriptor: dict[str, Any], say: Say, wait: float,
            reader: Any = None, lang: str = "en") -> None:
    """Create or update the dataset and its tables; raises Refused when it
    cannot be public. `reader` asks for the portal's reports (in a language)."""
    reader = reader or portal
    dataset = _write_dataset(portal, package_fields(descriptor), say)
    current = {r["name"]: r for r in dataset.get("resources", [])}
    tables = [_write_table(portal, dataset["id"], folder, resource, current.get(resource["name"]), say)
              for resource in descriptor.get("resources") or []]
    disagreed = [table for table in tables if not _passed_on_portal(reader, table, wait, say, lang)]
    if disagreed:
        outcome = ("stays private" if dataset.get("private", True)
                   else "the previous version of these tables stays published")
        raise Refused(f"{dataset['name']}: {outcome}: the portal's validation refused "
                      + ", ".join(t["name"] for t in disagreed))
    if dataset.get("private", True):
        import ckanapi
        try:
            dataset = portal.action.package_patch(id=dataset["id"], private=False)
        except ckanapi.errors.ValidationError as error:
            raise Refused(f"{dataset['name']}: stays private, the data-exchange code is not met: "
                          f"{_detail(error)}") from None
    say(f"{dataset['name']}: public at {portal.address}/dataset/{dataset['name']}")


def _write_dataset(portal: Any, fields: dict[str, Any], say: Say) -> dict[str, Any]:
    import ckanapi
    try:
        existing = portal.action.package_show(id=fields["name"])
    except ckanapi.errors.NotFound:
        say(f"{fields['name']}: creating the dataset (private until every table has passed)")
        return portal.action.package_create(**dict(fields, private=True))
    if same_metadata(fields, existing):
        say(f"{fields['name']}: metadata unchanged")
        return existing
    say(f"{fields['name']}: updating the dataset's metadata")
    return portal.action.package_patch(**dict(fields, id=existing["id"]))


def _write_table(portal: Any, dataset_id: str, folder: Path, resource: dict[str, Any],
                 existing: dict[str, Any] | None, say: Say) -> dict[str, Any]:
    path = data_file(folder, resource["path"])
    fields = dict(resource_fields(resource), package_id=dataset_id)
    if existing and _stored_checksum(portal, existing["id"]) == sha256(path):
        if same_table(fields, existing):
            say(f"{resource['name']}: unchanged, the portal holds this file already")
            return existing
        say(f"{resource['name']}: the portal holds this file already; updating its description")
        return portal.action.resource_patch(**dict(fields, id=existing["id"]))
    say(f"{resource['name']}: uploading {path.name}")
    with open(path, "rb") as upload:
        if existing:
            return portal.action.resource_update(**dict(fields, id=existing["id"]), url=path.name,
                                                 upload=upload)
        return portal.action.resource_create(**fields, url=path.name, upload=upload)


def _stored_checksum(portal: Any, resource_id: str) -> str | None:
    return portal.action.kg_validation_show(id=resource_id).get("checksum")


def _passed_on_portal(portal: Any, table: dict[str, Any], wait: float, say: Say,
                      lang: str) -> bool:
    """Wait for the portal's verdict; print its report when it disagrees."""
    deadline = time.monotonic() + wait
    shown = portal.action.kg_validation_show(id=table["id"])
    while _is_pending(shown) and time.monotonic() < deadline:
        time.sleep(1)
        shown = portal.action.kg_validation_show(id=table["id"])
    if shown.get("status") == "success":
        say(f"{table['name']}: validated by the portal")
        return True
    if _is_pending(shown):
        say(f"{table['name']}: the portal has not finished validating it after {wait:.0f} s; "
            "run again later")
        return False
    say(f"{table['name']}: the portal disagrees ({shown.get('status') or 'no report'}):")
    say(portal_report_text(shown.get("report") or {}, lang))
    return False


def _is_pending(shown: dict[str, Any]) -> bool:
    return (shown.get("job") or {}).get("state") in PENDING


def portal_report_text(report: dict[str, Any], lang: str = "en") -> str:
    """The portal's stored report as text: the engine's own when it is one,
    else its errors (a file that could not be fetched, a failed load)."""
    try:
        text = format_text(report, lang)
    except (KeyError, TypeError):
        text = "\n".join(f"  [{e.get('type')}] {e.get('message')}" for e in report.get("errors") or [])
    datastore = report.get("datastore") or {}
    if datastore.get("loaded") is False:
        text += "\n  " + datastore.get("message", "")
    return text


if __name__ == "__main__":
    sys.exit(main())
