"""Actions of the data-exchange code."""
from __future__ import annotations

import logging
from typing import Any, Optional

import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ckanext.kg import code, counts, indexing, tabular
from ckanext.kg.logic import parameters, schema, visibility
from ckanext.kg.logic.followers import (
    dataset_follower_count,
    group_follower_count,
    organization_follower_count,
    user_follower_count,
)
from ckanext.kg.logic.listings import (
    format_autocomplete,
    member_list,
    tag_autocomplete,
    tag_list,
    tag_search,
    tag_show,
)
from ckanext.kg.logic.table_history import kg_resource_diff, kg_resource_versions
from ckanext.kg.publishing import incoming

log = logging.getLogger(__name__)

__all__ = [
    "kg_compliance_show",
    "kg_validation_show",
    "kg_validation_retry",
    "kg_most_downloaded_list",
    "kg_resource_versions",
    "kg_resource_diff",
    "bulk_update_public",
    "package_create",
    "package_update",
    "package_search",
    "resource_create",
    "resource_update",
    "datastore_info",
    "datastore_search",
    "datastore_search_sql",
    "datastore_create",
    "datastore_upsert",
    "datastore_delete",
    "tag_list",
    "tag_search",
    "tag_autocomplete",
    "tag_show",
    "format_autocomplete",
    "member_list",
    "dataset_follower_count",
    "group_follower_count",
    "organization_follower_count",
    "user_follower_count",
]


def registered() -> dict[str, Any]:
    """The plugin's actions: those of `__all__` (`datastore_search_sql` only
    where CKAN offers it, ``ckan.datastore.sqlsearch.enabled``), CKAN's own
    whose parameters are checked first (`logic/parameters.py`), and every
    action that names a dataset, resource or activity answering as for an
    unknown one when it is hidden from the caller (`logic/visibility.py`)."""
    found = dict(parameters.checked_actions(), **{name: globals()[name] for name in __all__})
    if not tk.config.get("ckan.datastore.sqlsearch.enabled"):
        del found["datastore_search_sql"]
    return visibility.hiding(found)


@tk.side_effect_free
def kg_compliance_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Which rules of the data-exchange code a dataset meets, or what share
    of an agency's datasets comply.

    :param id: the id or name of a dataset
    :type id: string
    :param organization: the id or name of an agency (instead of ``id``)
    :type organization: string
    :param start: with ``organization``: the first dataset listed (default 0)
    :type start: int
    :param rows: with ``organization``: how many datasets to list
        (0 to 1000; default 1000)
    :type rows: int
    :param complies: with ``organization``: list only the datasets that
        comply (true) or do not (false)
    :type complies: bool
    :returns: for a dataset, ``rules`` (number, field, text, met), ``met``,
        ``total``, ``publishable`` and ``openness_stars``; for an agency,
        over the datasets the caller may see: ``datasets``, ``compliant``,
        ``unjudged`` (indexed before the portal judged datasets when
        indexing them, until the index is rebuilt), ``share`` (of those
        judged), ``unmet_rules`` (number, field, text and how many
        datasets do not meet it), ``count`` (the datasets to list, after
        ``complies``), ``start`` and ``results``: the datasets listed, by
        name, each with its unmet rules
    """
    if data_dict.get("organization"):
        return _agency_compliance(context, data_dict)
    dataset_id = tk.get_or_bust(data_dict, "id")
    tk.check_access("kg_compliance_show", context, {"id": dataset_id})
    dataset = tk.get_action("package_show")(context, {"id": dataset_id})
    return dict(code.compliance(dataset), id=dataset["id"], name=dataset["name"])


def _agency_compliance(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Counts only the datasets the caller may see (package_search applies
    the caller's permissions), each judged when it was indexed
    (`indexing.add_compliance`), from the index's counts of every agency's
    verdicts: one small search, however many datasets the agency has.
    Lists a page of them, by name, each judged as it is now."""
    params = schema.checked(context, data_dict, schema.agency_compliance_parameters())
    org = tk.get_action("organization_show")(
        dict(context), {"id": params["organization"], "include_datasets": False,
                        "include_dataset_count": False, "include_users": False,
                        "include_groups": False, "include_followers": False})
    facets = tk.get_action("package_search")(dict(context), {
        "rows": 0, "include_private": True, "facet.limit": -1, "facet.mincount": 1,
        "facet.field": ["owner_org", indexing.AGENCY_COMPLIANT,
                        indexing.AGENCY_UNMET_RULES]})["facets"]

    def counted(field: str, value: str) -> int:
        return facets.get(field, {}).get(indexing.agency_key(org["id"], value), 0)
    datasets = facets.get("owner_org", {}).get(org["id"], 0)
    compliant = counted(indexing.AGENCY_COMPLIANT, "true")
    # indexed before verdicts were (until `ckan search-index rebuild`)
    unjudged = datasets - compliant - counted(indexing.AGENCY_COMPLIANT, "false")
    judged = datasets - unjudged
    listed = {"fq": f'+owner_org:"{org["id"]}"', "include_private": True,
              "start": params.get("start", 0), "sort": "name asc",
              "rows": params.get("rows", schema.AGENCY_COMPLIANCE_ROWS)}
    page: dict[str, Any] = {"count": datasets, "results": []}
    if "complies" in params:
        wanted = "true" if params["complies"] else "false"
        listed["fq"] += f" +{indexing.COMPLIANT}:{wanted}"
        page["count"] = counted(indexing.AGENCY_COMPLIANT, wanted)
    if listed["rows"]:
        page = tk.get_action("package_search")(dict(context), listed)
    return {"organization": org["name"], "datasets": datasets, "compliant": compliant,
            "unjudged": unjudged, "share": round(compliant / judged, 3) if judged else None,
            "unmet_rules": [{"number": rule.number, "field": rule.field, "text": rule.text(),
                             "datasets": counted(indexing.AGENCY_UNMET_RULES, rule.number)}
                            for rule in code.RULES
                            if counted(indexing.AGENCY_UNMET_RULES, rule.number)],
            "count": page["count"], "start": listed["start"],
            "results": [_dataset_compliance(d) for d in page["results"]]}


def _dataset_compliance(dataset: dict[str, Any]) -> dict[str, Any]:
    found = code.compliance(dataset)
    return {"id": dataset["id"], "name": dataset["name"], "title": dataset.get("title"),
            "private": dataset.get("private"), "publishable": found["publishable"],
            "unmet": [{"number": r["number"], "field": r["field"], "text": r["text"]}
                      for r in found["rules"] if not r["met"]]}


@tk.side_effect_free
def kg_validation_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The validation report of a resource's current file, and where its
    validation stands.

    :param id: the id of a resource
    :type id: string
    :returns: ``status`` (``success``, ``failure``, ``needs-schema``, or
        ``None`` while the file has no report yet), ``checksum``,
        ``created``, ``report`` (detected encoding and dialect, changes
        made, errors with messages in the request's language) and ``job``:
        ``state`` (``queued``, ``running``, ``done``, ``error`` or
        ``interrupted``), ``stage`` (``fetching``, ``validating``,
        ``loading``, or ``indexing``: the rows are published and their
        full-text search, ``datastore_search``'s ``q``, is being built),
        ``rows`` loaded so far and ``updated``, or ``None`` for a
        resource never validated
    """
    from ckanext.kg.publishing.gate import jobs, validation
    from ckanext.kg.reader_language import current_language
    resource_id = tk.get_or_bust(data_dict, "id")
    tk.check_access("kg_validation_show", context, {"id": resource_id})
    resource = tk.get_action("resource_show")(context, {"id": resource_id})
    job = jobs.shown_state(resource_id)
    found = validation.current_report(resource)
    if found is None:
        return {"id": resource_id, "status": None, "report": None, "job": job}
    report = found["report"]
    language = current_language()
    return dict(found, id=resource_id, job=job,
                report=report.get(language) or report.get("en"))


@tk.side_effect_free
def kg_most_downloaded_list(context: Context, data_dict: DataDict) -> list[dict[str, Any]]:
    """The public datasets downloaded most, most first (counts: see
    ``docs/counts.md``). Only public, active datasets are ranked, and each
    is checked again through ``package_search`` without private datasets,
    whoever asks.

    :param limit: how many datasets (0 to 100; default 5)
    :type limit: int
    :returns: a list of ``id``, ``name``, ``title``, ``title_translated``
        and ``downloads`` (all downloads of its tables)
    """
    from ckanext.kg import counts
    params = schema.checked(context, data_dict, schema.most_downloaded_parameters())
    tk.check_access("kg_most_downloaded_list", context, params)
    ranking = counts.most_downloaded(
        params.get("limit", 5), tk.config.get("ckanext.kg.counts.ranking_cache_seconds"))
    if not ranking:
        return []
    ids = " OR ".join(f'"{package_id}"' for package_id, _ in ranking)
    shown = tk.get_action("package_search")(dict(context, ignore_auth=False), {
        "fq": f"id:({ids})", "rows": len(ranking), "include_private": False,
        "include_drafts": False})
    found = {dataset["id"]: dataset for dataset in shown["results"]}
    return [{"id": package_id, "name": found[package_id]["name"],
             "title": found[package_id].get("title"),
             "title_translated": found[package_id].get("title_translated"),
             "downloads": downloads}
            for package_id, downloads in ranking if package_id in found]


def kg_validation_retry(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Validate a resource's current file again: after a failed or
    interrupted run, or when the file behind its URL has changed.

    :param id: the id of a resource
    :type id: string
    :returns: as :py:func:`kg_validation_show`
    """
    from ckanext.kg.publishing.gate import jobs, state
    resource_id = tk.get_or_bust(data_dict, "id")
    tk.check_access("kg_validation_retry", context, {"id": resource_id})
    resource = tk.get_action("resource_show")(dict(context), {"id": resource_id})
    if not tabular.is_tabular(resource):
        raise tk.ValidationError({"id": [tk._("This resource is not a table.")]})
    current = jobs.shown_state(resource_id)
    if current and current["state"] in (state.QUEUED, state.RUNNING):
        raise tk.ValidationError({"id": [tk._("This table is being validated already.")]})
    jobs.retry(resource)
    return tk.get_action("kg_validation_show")(dict(context), {"id": resource_id})


@tk.chained_action
def package_create(up_func, context: Context, data_dict: DataDict):
    """Tables created with their dataset are validated like any other, and
    a dataset whose tables could not all be stored or judged is removed
    whole, files included.

    CKAN 2.12's package_create does not store resource uploads (only
    package_update does), so files given with the resources are stored
    just after the dataset is created, each through resource_patch."""
    from ckanext.kg.publishing import undo
    counts.left_out(data_dict)  # given back from package_show: never stored
    uploads = _take_uploads(data_dict)
    result = up_func(context, data_dict)
    try:
        if uploads:
            result = _store_uploads(context, result, uploads)
        _validate_tables(context, result, strict=True)
    except Exception as error:  # noqa: BLE001 - nothing may be half-saved
        undo.discard_dataset(result["id"] if isinstance(result, dict) else result)
        if isinstance(error, tk.ValidationError):
            raise _in_users_language(error) from None
        _refuse_when_no_room(error)
        if not uploads:
            raise
        log.exception("Uploads given to package_create could not be stored")
        raise tk.ValidationError({"upload": [tk._(
            "The files could not be stored, so the dataset was not created.")]}
        ) from None
    return result


def _in_users_language(error: tk.ValidationError) -> tk.ValidationError:
    """CKAN's uploader refuses a large file in English only."""
    messages = error.error_dict.get("upload")
    if messages == ["File upload too large"]:
        return incoming.too_large(tk.config.get("ckan.max_resource_size"))
    return error


def _take_uploads(data_dict: DataDict) -> dict[int, Any]:
    from werkzeug.datastructures import FileStorage
    uploads = {}
    for index, resource in enumerate(data_dict.get("resources") or []):
        if isinstance(resource, dict) and isinstance(resource.get("upload"), FileStorage):
            uploads[index] = resource.pop("upload")
    return uploads


def _store_uploads(context: Context, result: Any, uploads: dict[int, Any]) -> Any:
    from ckanext.kg.site_user import site_context
    dataset_id = result["id"] if isinstance(result, dict) else result
    dataset = tk.get_action("package_show")(site_context(), {"id": dataset_id})
    patch_context = {k: context[k] for k in ("user", "ignore_auth", "kg_validate_sync")
                     if k in context}
    for index, upload in uploads.items():
        resource = dataset["resources"][index]
        tk.get_action("resource_patch")(dict(patch_context), {
            "id": resource["id"], "upload": upload,
            "url": upload.filename or resource.get("url")})
    if not isinstance(result, dict):
        return result
    return tk.get_action("package_show")(dict(patch_context), {"id": dataset_id})


@tk.chained_action
def package_update(up_func, context: Context, data_dict: DataDict):
    """Every change of a table's file, URL or schema is validated: this is
    the one action behind package_patch and the web form's dataset pages;
    resource_create and resource_update validate their table themselves.
    The counts package_show adds are left out (resource_patch and
    package_patch give them back): they are never stored as extras."""
    counts.left_out(data_dict)
    result = up_func(context, data_dict)
    if not context.get(ALL_OR_NOTHING):
        _validate_tables(context, result)
    return result


def _validate_tables(context: Context, result: Any, strict: bool = False) -> None:
    """After the action committed (never inside a caller's transaction);
    with `strict`, a validation that breaks off raises."""
    from ckanext.kg.publishing.gate import jobs
    from ckanext.kg.site_user import site_context
    if context.get("defer_commit"):
        return
    dataset = result if isinstance(result, dict) else tk.get_action("package_show")(
        site_context(), {"id": result})
    jobs.validate_changed(dataset.get("resources") or [],
                          sync=bool(context.get("kg_validate_sync")), strict=strict)


# in the context of the package_update a resource action calls: the
# resource action validates its table itself, and undoes itself on failure
ALL_OR_NOTHING = "kg_all_or_nothing"


@tk.chained_action
def resource_create(up_func, context: Context, data_dict: DataDict):
    """All or nothing: the new table is validated once it is saved, and
    any failure until its report is stored removes the resource, its file
    and everything made for it (`publishing.undo`)."""
    from ckanext.kg.publishing import undo
    snapshot = undo.before_create(data_dict.get("package_id"), data_dict.get("id"))
    try:
        resource = up_func(dict(context, **{ALL_OR_NOTHING: True}), data_dict)
        _validate_resource(context, resource)
    except Exception as error:
        undo.undo_create(snapshot, data_dict.get("id"))  # the id CKAN gave it, if any
        _refuse_when_no_room(error)
        raise
    return resource


@tk.chained_action
def resource_update(up_func, context: Context, data_dict: DataDict):
    """All or nothing: the changed table is validated once it is saved,
    and any failure until its report is stored puts the resource, its
    file and its validation state back as they were (`publishing.undo`)."""
    from ckanext.kg.publishing import undo
    replaces_file = bool(data_dict.get("upload") or data_dict.get("clear_upload"))
    snapshot = undo.before_update(data_dict.get("id"),
                                  replaces_file and _may(context, "resource_update", data_dict))
    try:
        # CKAN's package_update names what it committed in `changed_entities`
        changed: dict[str, Any] = {}
        resource = up_func(dict(context, changed_entities=changed,
                                **{ALL_OR_NOTHING: True}), data_dict)
        _validate_resource(context, resource)
    except Exception as error:
        undo.undo_update(snapshot, committed=snapshot.package_id in changed.get(
            "packages", ()))
        _refuse_when_no_room(error)
        raise
    snapshot.done()
    return resource


def _refuse_when_no_room(error: Optional[BaseException]) -> None:
    """After the action undid itself: a write the storage refused is told
    to the publisher in their language (a refusal, so the web form keeps
    what they entered), never a bare 500; any other error goes on."""
    cause = error
    while cause is not None and not (
            isinstance(cause, OSError) and cause.errno in incoming.NO_ROOM):
        cause = cause.__cause__ or cause.__context__
    if cause is None:
        return
    log.error("an upload could not be stored, nothing was saved: %s", cause)
    raise tk.ValidationError({"upload": [tk._(
        "The portal has no room to store the file now, so nothing was saved. "
        "Please try again later; if it happens again, tell the portal's team.")]}
    ) from error


def _may(context: Context, action: str, data_dict: DataDict) -> bool:
    """Whether the caller may do `action` (CKAN's own check then answers
    the caller who may not, as it always does)."""
    try:
        tk.check_access(action, dict(context), data_dict)
    except (tk.NotAuthorized, tk.ObjectNotFound, tk.ValidationError):
        return False
    return True


def _validate_resource(context: Context, resource: dict[str, Any]) -> None:
    from ckanext.kg.publishing.gate import jobs
    if context.get("defer_commit"):
        return
    jobs.validate_changed([resource], sync=bool(context.get("kg_validate_sync")),
                          strict=True)


@tk.side_effect_free
@tk.chained_action
def package_search(up_func, context: Context, data_dict: DataDict):
    """Numbers and flags checked before the search runs, and a parameter
    the search index refuses named, without CKAN's dump of the query (it
    holds the caller's permission filter). For a page, the results'
    agencies are named in the reader's language in one read."""
    from ckan.lib.search.common import SearchError

    from ckanext.kg import indexing
    from ckanext.kg.logic import refusals
    data_dict = schema.checked(context, data_dict, schema.package_search_parameters())
    try:
        if not context.get("for_view"):
            return up_func(context, data_dict)
        with indexing.agencies_named_together():  # a page's agencies in one read
            return up_func(context, data_dict)
    except SearchError as error:
        raise refusals.search_refusal(error) from None


@tk.chained_action
def bulk_update_public(up_func, context: Context, data_dict: DataDict):
    """Making datasets public in bulk passes the same publication gate.

    The caller's right over the agency is checked first; then only the
    datasets CKAN would change are judged (named by id and owned by that
    agency), so nothing is read or told about any other."""
    tk.check_access("bulk_update_public", context, data_dict)
    errors = {}
    for dataset_id in _bulk_dataset_ids(data_dict):
        dataset = tk.get_action("package_show")(
            dict(context, ignore_auth=True), {"id": dataset_id})
        unmet = code.publication_errors(dataset)
        if unmet:
            errors[dataset["name"]] = [m for ms in unmet.values() for m in ms]
    if errors:
        raise tk.ValidationError(errors)
    return up_func(context, data_dict)


def _bulk_dataset_ids(data_dict: DataDict) -> list[str]:
    """The datasets CKAN's bulk update changes: those of `datasets` (ids)
    owned by `org_id`."""
    from ckan import model
    named = data_dict.get("datasets") or []
    if isinstance(named, str):
        named = [named]
    found = model.Session.query(model.Package.id).filter(
        model.Package.id.in_([n for n in named if isinstance(n, str)]),
        model.Package.owner_org == data_dict.get("org_id"))
    return [row.id for row in found]


@tk.side_effect_free
@tk.chained_action
def datastore_info(up_func, context: Context, data_dict: DataDict):
    """The data dictionary's labels and notes in the reader's language."""
    return _localised_fields(up_func(context, data_dict))


@tk.side_effect_free
@tk.chained_action
def datastore_search(up_func, context: Context, data_dict: DataDict):
    """The data dictionary's labels and notes in the reader's language;
    `limit` and `offset` checked first, and a search PostgreSQL refuses
    answered without its SQL."""
    from ckanext.kg.logic import refusals
    data_dict = schema.checked(context, data_dict, schema.datastore_search_parameters())
    try:
        result = up_func(context, data_dict)
    except tk.ValidationError as error:
        raise refusals.datastore_refusal(error) from None
    return _localised_fields(result)


@tk.side_effect_free
@tk.chained_action
def datastore_search_sql(up_func, context: Context, data_dict: DataDict):
    """Execute one SQL SELECT statement on the DataStore's tables, within
    the portal's limits.

    CKAN's checks hold (its allow-list of syntax and functions, and read
    access to every table named); the statement is stopped after
    ``ckanext.kg.datastore.sql_timeout`` seconds, and the answer holds at
    most ``ckanext.kg.datastore.sql_max_rows`` rows and about
    ``ckanext.kg.datastore.sql_max_bytes`` bytes. A statement that fails
    is refused (409) with PostgreSQL's reason, never the statement.

    :param sql: a single SQL select statement
    :type sql: string
    :returns: ``fields`` (``id``, ``type``), ``records`` and, when the
        answer was cut at a limit, ``records_truncated: true``
    """
    from ckanext.kg.logic import datastore_sql
    data_dict = schema.checked(context, data_dict, schema.datastore_search_sql_parameters())
    return dict(data_dict, **datastore_sql.search(context, data_dict["sql"]))


@tk.chained_action
def datastore_create(up_func, context: Context, data_dict: DataDict):
    """Rows written into a table by hand: its stored files no longer match."""
    writes_rows = bool(data_dict.get("records"))  # taken out of data_dict by CKAN
    result = up_func(context, data_dict)
    if writes_rows:
        _withdraw_stored_files(data_dict, result)
    return result


@tk.chained_action
def datastore_upsert(up_func, context: Context, data_dict: DataDict):
    """Rows changed by hand: the table's stored files no longer match."""
    result = up_func(context, data_dict)
    _withdraw_stored_files(data_dict, result)
    return result


@tk.chained_action
def datastore_delete(up_func, context: Context, data_dict: DataDict):
    """Rows or the table deleted (`datastore_records_delete` too, which
    calls this): the table's stored files no longer match."""
    result = up_func(context, data_dict)
    _withdraw_stored_files(data_dict, result)
    return result


def _withdraw_stored_files(data_dict: DataDict, result: Any) -> None:
    """Whole-table downloads then come from the DataStore, until the next
    publication stores new files."""
    from ckanext.kg.publishing.files import stored
    found = result.get("resource_id") if isinstance(result, dict) else None
    resource_id = found or data_dict.get("resource_id")
    if resource_id:
        stored.withdraw(resource_id)


def _localised_fields(result: dict[str, Any]) -> dict[str, Any]:
    from ckanext.kg.publishing.load import dictionary
    from ckanext.kg.reader_language import current_language
    if isinstance(result, dict) and isinstance(result.get("fields"), list):
        dictionary.localise(result["fields"], current_language(), code.LANGUAGES)
    return result
