"""Pages of the portal: compliance with the data-exchange code, validation
reports, downloads, and the developers' page with the OpenAPI description."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib.pagination import Page
from flask import Blueprint

kg = Blueprint("kg", __name__)


def _context() -> dict:
    """An action context for the requesting user (anonymous: empty name)."""
    return {"user": tk.current_user.name if tk.current_user else ""}


@kg.route("/dataset/<id>/compliance")
def compliance(id: str):
    context = _context()
    try:
        dataset = tk.get_action("package_show")(dict(context), {"id": id})
        result = tk.get_action("kg_compliance_show")(dict(context), {"id": id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, tk._("Dataset not found"))
    return tk.render("kg/compliance.html",
                     {"pkg_dict": dataset, "pkg": dataset, "compliance": result,
                      "dataset_type": dataset["type"]})


@kg.route("/dataset/<id>/resource/<resource_id>/validation")
def validation_report(id: str, resource_id: str):
    """The validation report of a resource's current file, for its publisher."""
    context = _context()
    try:
        dataset = tk.get_action("package_show")(dict(context), {"id": id})
        resource = tk.get_action("resource_show")(dict(context), {"id": resource_id})
        shown = tk.get_action("kg_validation_show")(dict(context), {"id": resource_id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, tk._("Resource not found"))
    return tk.render("kg/validation_report.html",
                     {"pkg_dict": dataset, "pkg": dataset, "resource": resource,
                      "validation": shown, "dataset_type": dataset["type"]})


@kg.route("/dataset/<id>/resource/<resource_id>/validation/retry", methods=["POST"])
def validation_retry(id: str, resource_id: str):
    """Validate a resource's current file again (after a failure or an
    interrupted job), then show its report."""
    context = _context()
    try:
        tk.get_action("kg_validation_retry")(dict(context), {"id": resource_id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, tk._("Resource not found"))
    except tk.ValidationError as error:
        tk.h.flash_error(" ".join(m for ms in error.error_dict.values() for m in ms))
    return tk.redirect_to("kg.validation_report", id=id, resource_id=resource_id)


@kg.route("/dataset/<id>/resource/<resource_id>/export/<fmt>")
def download(id: str, resource_id: str, fmt: str):
    """A DataStore table as CSV, CSV for Excel, XLSX, Parquet or JSON, with
    the DataStore's own `q`, `filters` (JSON), `fields` and `sort`."""
    from flask import Response, request, stream_with_context

    from ckanext.kg.publishing.files import downloads
    if fmt not in downloads.FORMATS:
        return tk.abort(404, tk._("Unknown download format"))
    context = _context()
    if not any(request.args.get(key) for key in downloads.SEARCH):
        stored = _stored_download(context, resource_id, fmt)
        if stored is not None:
            return _cache_policy(stored, resource_id)
    search = {key: request.args[key] for key in ("q", "fields", "sort")
              if request.args.get(key)}
    if request.args.get("filters"):
        search["filters"] = _filters(request.args["filters"])
    try:
        resource = tk.get_action("resource_show")(dict(context), {"id": resource_id})
        fields, rows = downloads.pages(context, resource_id, search)
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, tk._("Resource not found"))
    # a parameter the DataStore refuses: tk.ValidationError, a 400 naming it (errors.py)
    body = downloads.WRITERS[fmt](fields, rows)
    if fmt == "xlsx":
        body = _written_xlsx(body)
    return _cache_policy(Response(stream_with_context(body),
                                  headers=_download_headers(resource, fmt)), resource_id)


def _written_xlsx(body):
    """An XLSX download written whole before its first byte is sent, so a
    cell Excel cannot hold is said in the reader's language, not cut off."""
    import itertools

    from ckanext.kg.publishing.files.export_writers import CellTooLong
    try:
        first = next(body)
    except CellTooLong as error:
        return tk.abort(409, _too_long_for_excel(error.limit))
    except StopIteration:
        return iter(())
    return itertools.chain([first], body)


def _filters(text: str) -> dict:
    """The `filters` of a download: a JSON object, as `datastore_search`
    takes it (a list of them would not page by `_id`)."""
    from ckanext.kg.logic.validators import datastore_filters, filters_not_an_object
    try:
        filters = datastore_filters(text)
    except tk.Invalid as error:
        raise tk.ValidationError({"filters": [error.error]}) from None
    if isinstance(filters, list):
        raise tk.ValidationError({"filters": [filters_not_an_object()]})
    return filters or {}


def search_page_defaults() -> dict:
    """What a page of search results has even when its search was refused.

    CKAN's organization and group pages leave `search_facets` unset when
    `package_search` refuses their query (an unbalanced quote in `q`, an
    unknown `sort`), and their facet lists then failed with a 500; with
    none, they show the page and its search-error notice. A page that has
    facets keeps its own (Flask never overrides a value the view gave)."""
    return {"search_facets": {}}


def check_datastore_dump() -> None:
    """Before CKAN's `/datastore/dump/<id>`: a format it does not know is
    refused naming `format` (CKAN's own check of it fails with an internal
    error, its message formatted from a tuple)."""
    from flask import request
    if request.endpoint != "datastore.dump":
        return
    from ckanext.datastore.blueprint import DUMP_FORMATS
    if request.args.get("format") not in (None, "", *DUMP_FORMATS):
        raise tk.ValidationError({"format": [tk._("Choose one of: {formats}.").format(
            formats=", ".join(DUMP_FORMATS))]})


def _download_headers(resource: dict, fmt: str) -> dict:
    from ckanext.kg import names
    from ckanext.kg.publishing.files import downloads
    extension, content_type = downloads.FORMATS[fmt]
    base = names.name_from_title(resource.get("name") or "") or resource["id"]
    return {"Content-Type": content_type,
            "Content-Disposition": f'attachment; filename="{base}.{extension}"'}


def _cache_policy(response, resource_id: str):
    """Shared caches may keep only what anyone may download: a download
    an anonymous user could not get is `private`, revalidated every time;
    anything else gets CKAN's own policy for public pages (`public`,
    `max-age` from `ckan.cache_expires`, must-revalidate)."""
    from flask import request
    try:
        tk.check_access("resource_show", {"user": ""}, {"id": resource_id})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        request.environ["__no_cache__"] = True  # CKAN's after-request: private
        response.cache_control.public = None
        response.cache_control.private = True
        response.cache_control.no_cache = True
        return response
    response.cache_control.no_cache = None
    return response


def _stored_download(context: dict, resource_id: str, fmt: str):
    """A whole table from its stored files (`publishing.files.stored`): CSV and
    Parquet as they are, CSV for Excel transcoded from the stored CSV,
    XLSX and JSON from its rows (`publishing.files.stored_rows`); None when
    there is none, or the viewer may not see the resource."""
    from flask import Response, stream_with_context

    from ckanext.kg.publishing.files import downloads, stored
    if fmt not in downloads.FROM_STORED:
        return None
    try:
        resource = tk.get_action("resource_show")(dict(context), {"id": resource_id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return None  # the DataStore path answers, as for any resource
    if not resource.get("datastore_active"):
        return None
    headers = _download_headers(resource, fmt)
    if fmt in downloads.STORED_FILE:
        source = stored.open_current(resource["id"], downloads.STORED_FILE[fmt])
        return None if source is None else _stored_file(source, headers)
    made = _made_file(resource["id"], fmt, headers)
    if made is not None:
        return made
    table = _stored_table(resource["id"], fmt)
    if table is None:
        return None
    return Response(stream_with_context(downloads.WRITERS[fmt](*table)), headers=headers)


def _made_file(resource_id: str, fmt: str, headers: dict):
    """CSV for Excel, JSON or XLSX of the whole table from the files made
    after its publication (`publishing.files.exports`); until they exist, CSV
    for Excel and JSON streamed by the same writers, and XLSX made now
    (it is written whole before it is sent anyway) and kept. None when
    the stored files cannot give `fmt`."""
    from flask import Response, stream_with_context

    from ckanext.kg.publishing.files import exports
    source = exports.open_current(resource_id, fmt)
    if source is None and fmt == "xlsx" and exports.refusal(resource_id, fmt) is None:
        exports.build(resource_id, ("xlsx",))
        source = exports.open_current(resource_id, fmt)
    if source is not None:
        return _stored_file(source, headers)
    refused = exports.refusal(resource_id, fmt)
    if refused is not None:
        return tk.abort(409, _too_long_for_excel(refused["limit"]))
    chunks = exports.stream(resource_id, fmt) if fmt != "xlsx" else None
    return None if chunks is None else Response(stream_with_context(chunks), headers=headers)


def _too_long_for_excel(limit: int) -> str:
    return tk._("A cell of this table is longer than the {limit} characters a cell of "
                "Excel holds, so it has no XLSX download. Download it as CSV for Excel or "
                "as Parquet instead.").format(limit=limit)


def _stored_table(resource_id: str, fmt: str):
    """The fields and rows the writer of `fmt` gets from the stored files:
    the stored CSV's text for CSV for Excel, the DataStore's values for
    XLSX and JSON; None when there is none."""
    from ckanext.kg.publishing.files import downloads, stored, stored_rows
    if fmt != "excel":
        return stored_rows.pages(resource_id)
    served = stored.served(resource_id)  # the fields and the file of one publication
    source = stored.open_current(resource_id, "csv", served)
    if source is None:
        return None
    return served.get("fields", []), downloads.stored_csv_pages(source)


def _stored_file(source, headers: dict):
    """A stored file as it is: its checksum (its name) is a strong ETag, so
    `If-None-Match` gets 304 and `Range` 206 (werkzeug's conditional
    responses); opened before, so a publication meanwhile cannot cut it."""
    import os
    from pathlib import Path

    from flask import request, send_file
    from werkzeug.wsgi import FileWrapper
    size = os.fstat(source.fileno()).st_size
    checksum = Path(source.name).name.split(".")[0]
    prefix = tk.config.get("ckanext.kg.downloads.accel_redirect")
    if prefix and size >= tk.config.get("ckanext.kg.downloads.accel_redirect_min_bytes"):
        return _accel_redirect(source, headers, prefix)
    response = send_file(source, mimetype=headers["Content-Type"], etag=checksum,
                         conditional=False)
    if request.range is not None:  # werkzeug's wrapper seeks to the range;
        response.response = FileWrapper(source, 1 << 16)  # gunicorn's reads up to it
    response.headers.update(headers)
    response.content_length = size
    return response.make_conditional(request.environ, accept_ranges=True,
                                     complete_length=size)


def _accel_redirect(source, headers: dict, prefix: str):
    """The stored file handed to nginx (`X-Accel-Redirect` to its internal
    location `prefix`, see deploy/nginx/kg/site.conf), the permissions
    having been checked here: nginx sends it, with its own ETag and
    ranges, and the gunicorn worker is free at once."""
    from pathlib import Path

    from flask import Response
    path = Path(source.name)
    source.close()
    response = Response(b"", headers=headers)
    response.headers["X-Accel-Redirect"] = f"{prefix.rstrip('/')}/{path.parent.name}/{path.name}"
    return response


@kg.route("/dataset/<id>/resource/<resource_id>/version/<int:number>/<fmt>")
def version_download(id: str, resource_id: str, number: int, fmt: str):
    """A version of a table as it was published: its stored CSV or Parquet
    file (`publishing.files.versions`), for whoever may read the table."""
    from ckanext.kg.publishing.files import stored, versions
    try:
        resource = tk.get_action("resource_show")(_context(), {"id": resource_id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, tk._("Resource not found"))
    folder = stored.folder(resource["id"])
    version = versions.find(folder, number, stored.served(resource["id"]))
    source = versions.open_file(folder, version, fmt) if version else None
    if source is None:
        return tk.abort(404, tk._("This version of the table is not kept"))
    headers = _download_headers(resource, fmt)
    base, extension = headers["Content-Disposition"].rsplit(".", 1)
    headers["Content-Disposition"] = f"{base}.v{number}.{extension}"
    return _cache_policy(_stored_file(source, headers), resource["id"])


@kg.route("/dataset/<id>/resource/<resource_id>/diff")
def table_diff(id: str, resource_id: str):
    """What changed between two versions of a table (`from`, `to`): the
    summary, the schema's changes and the rows, a page at a time."""
    from flask import request

    from ckanext.kg.logic.table_history import DIFF_PAGE
    context = _context()
    try:
        dataset = tk.get_action("package_show")(dict(context), {"id": id})
        resource = tk.get_action("resource_show")(dict(context), {"id": resource_id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, tk._("Resource not found"))
    page = _page_number(request.args.get("page"))
    asked = {k: request.args[k] for k in ("from", "to") if request.args.get(k)}
    found = tk.get_action("kg_resource_diff")(dict(context), dict(
        asked, id=resource["id"], limit=DIFF_PAGE, offset=(page - 1) * DIFF_PAGE))
    return tk.render("kg/table_diff.html", {
        "pkg_dict": dataset, "pkg": dataset, "resource": resource, "diff": found,
        "page": page, "pages": max(1, -(-found["total"] // DIFF_PAGE)),
        "columns": _diff_columns(found), "dataset_type": dataset["type"]})


def _page_number(given) -> int:
    if given is None or given == "":
        return 1
    if not (given.isascii() and given.isdigit() and len(given) <= 7) \
            or not 1 <= int(given) <= 1_000_000:
        raise tk.ValidationError({"page": [tk._("Give a whole number from {low} to {high}.")
                                           .format(low=1, high=1_000_000)]})
    return int(given)


def _diff_columns(found: dict) -> list:
    """The columns a page of differences shows: the newer version's, then
    those only the older one had."""
    seen: list = []
    for row in found["rows"]:
        for side in ("new", "old"):
            for name in row.get(side) or {}:
                if name not in seen:
                    seen.append(name)
    removed = found["schema"]["removed"]
    return [n for n in seen if n not in removed] + [n for n in seen if n in removed]


def _atom(body: bytes, public: bool):
    from flask import Response
    response = Response(body, headers={"Content-Type": "application/atom+xml; charset=utf-8"})
    if not public:
        from flask import request
        request.environ["__no_cache__"] = True
        response.cache_control.private = True
        response.cache_control.no_cache = True
    return response


@kg.route("/dataset/<id>/versions.atom")
def dataset_versions_feed(id: str):
    """New versions of a dataset's tables, for whoever may read it."""
    from ckanext.kg import feeds
    context = _context()
    try:
        dataset = tk.get_action("package_show")(dict(context), {"id": id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, tk._("Dataset not found"))
    title = tk._("New versions of the tables of {dataset}").format(
        dataset=tk.h.get_translated(dataset, "title"))
    self_url = tk.url_for("kg.dataset_versions_feed", id=dataset["name"], _external=True)
    page_url = tk.url_for("dataset.read", id=dataset["name"], _external=True)
    body = feeds.atom(title, self_url, page_url, feeds.entries_of(dataset))
    return _atom(body, not dataset.get("private") and dataset.get("state") == "active")


@kg.route("/feeds/versions/organization/<id>.atom")
def agency_versions_feed(id: str):
    """New versions of the tables of an agency's public datasets."""
    from ckanext.kg import feeds
    try:
        agency = tk.get_action("organization_show")(
            {"user": ""}, {"id": id, "include_datasets": False, "include_users": False,
                           "include_groups": False, "include_followers": False})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, tk._("Organization not found"))
    found = feeds.public_datasets(f'owner_org:"{agency["id"]}"')
    title = tk._("New versions of tables: {agency}").format(
        agency=tk.h.kg_agency_title(agency))
    self_url = tk.url_for("kg.agency_versions_feed", id=agency["name"], _external=True)
    page_url = tk.url_for("organization.read", id=agency["name"], _external=True)
    entries = [e for dataset in found for e in feeds.entries_of(dataset)]
    return _atom(feeds.atom(title, self_url, page_url, entries), True)


@kg.route("/feeds/versions/theme/<theme>.atom")
def theme_versions_feed(theme: str):
    """New versions of the tables of the public datasets of a theme of the code."""
    from ckanext.kg import feeds
    label = feeds.theme_label(theme)
    if label is None:
        return tk.abort(404, tk._("Unknown theme"))
    found = feeds.public_datasets(f'theme:"{theme}"')
    title = tk._("New versions of tables: {theme}").format(theme=label)
    self_url = tk.url_for("kg.theme_versions_feed", theme=theme, _external=True)
    page_url = tk.url_for("dataset.search", theme=theme, _external=True)
    entries = [e for dataset in found for e in feeds.entries_of(dataset)]
    return _atom(feeds.atom(title, self_url, page_url, entries), True)


@kg.route("/dataset/<id>/resource/<resource_id>/schema.json")
def table_schema(id: str, resource_id: str):
    """A table's Table Schema as a JSON file (its page shows it as a table)."""
    from flask import Response

    from ckanext.kg import names
    from ckanext.kg import table_schema as schemas
    try:
        resource = tk.get_action("resource_show")(_context(), {"id": resource_id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, tk._("Resource not found"))
    schema = schemas.of_resource(resource)
    if schema is None:
        return tk.abort(404, tk._("This table has no Table Schema"))
    base = names.name_from_title(resource.get("name") or "") or resource["id"]
    headers = {"Content-Type": "application/json; charset=utf-8",
               "Content-Disposition": f'attachment; filename="{base}.schema.json"'}
    return _cache_policy(Response(schemas.as_file(schema), headers=headers), resource_id)


AGENCY_COMPLIANCE_PAGE = 50  # datasets a page of an agency's compliance lists
# the `complies` filter of that page: its value, as the action takes it
COMPLIES_FILTERS = {"true": True, "false": False}


@kg.route("/organization/<id>/compliance")
def agency_compliance(id: str):
    """An agency's datasets that the viewer may see, with their unmet rules,
    a page at a time; `complies=true|false` lists only those that do or
    do not comply (any other value: all of them)."""
    from flask import request
    context = _context()
    page = tk.h.get_page_number(request.args)
    complies = request.args.get("complies")
    if complies not in COMPLIES_FILTERS:
        complies = None
    wanted = {"organization": id, "start": (page - 1) * AGENCY_COMPLIANCE_PAGE,
              "rows": AGENCY_COMPLIANCE_PAGE}
    if complies is not None:
        wanted["complies"] = COMPLIES_FILTERS[complies]
    try:
        # without its members, as CKAN's own agency page: each member's
        # number of datasets is a count over every dataset
        agency = tk.get_action("organization_show")(
            dict(context), {"id": id, "include_datasets": False, "include_users": False})
        result = tk.get_action("kg_compliance_show")(dict(context), wanted)
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, tk._("Organization not found"))
    kept = {"complies": complies} if complies is not None else {}

    def page_url(page: int, **_: Any) -> str:
        return tk.h.url_for("kg.agency_compliance", id=agency["name"], page=page, **kept)
    pager = Page(collection=result["results"], page=page, url=page_url,
                 item_count=result["count"], items_per_page=AGENCY_COMPLIANCE_PAGE)
    pager.items = result["results"]
    return tk.render("kg/agency_compliance.html",
                     {"group_dict": agency, "group_type": agency["type"],
                      "compliance": result, "page": pager, "complies": complies})


@kg.route("/developers")
def developers():
    """How to query the portal: the actions that matter, with live examples."""
    from ckanext.kg import developers as docs
    return tk.render("kg/developers.html", docs.page_examples(_context()))


@kg.route("/api/openapi.json")
def openapi():
    from flask import jsonify

    from ckanext.kg import developers as docs
    response = jsonify(docs.openapi_document(docs.site_url()))
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


__all__ = ["kg"]
