"""Pages whose view reads a value before checking it, found by the fuzzers
(tests/fuzz): a DCAT address in a format ckanext-dcat does not write (rdflib
has no serializer of that name), a login form posted without a login
(CKAN's authenticator lowers None) and a resource form posted without its
`save` button (CKAN deletes the field before it checks anything), each a
500; and a `page` so far that its offset is beyond PostgreSQL's bigint
(the list of users: a DataError), and that list's `limit` when it is no
whole number (`int('inf')`) or too large. Checked before the view runs; the
refusals are answered by `errors` (a 404, a 400 naming the field).
"""
from __future__ import annotations

import ckan.plugins.toolkit as tk

DCAT_PAGES = ("dcat.read_catalog", "dcat.read_dataset", "dcat.read_dataset_series")
RESOURCE_FORMS = ("dataset_resource.new", "resource.new", "dataset_resource.edit",
                  "resource.edit")
LAST_PAGE = 10**9  # (page - 1) times any page's length stays a bigint


def refuse_unreadable_page_request() -> None:
    from flask import request
    if not (request.endpoint or "").startswith("api."):  # actions check their own
        _page_number(request.args.get("page"))
    if request.endpoint == "user.index":
        _list_length(request.args.get("limit"))
    if request.endpoint in DCAT_PAGES:
        _dcat_format((request.view_args or {}).get("_format"))
    elif request.endpoint == "user.login" and request.method == "POST":
        _form_fields(request.form, ("login", "password"))
    elif request.endpoint in RESOURCE_FORMS and request.method == "POST":
        _form_fields(request.form, ("save",))


def _page_number(value: str | None) -> None:
    """CKAN reads `page` as any positive integer (and answers 400 for
    anything else); one beyond `LAST_PAGE` is refused naming it."""
    try:
        number = int(value) if value is not None else None
    except ValueError:
        return
    if number is not None and number > LAST_PAGE:
        raise tk.ValidationError({"page": [tk._("Give a number no larger than {largest}.")
                                           .format(largest=LAST_PAGE)]})


def _list_length(value: str | None) -> None:
    """The list of users reads `limit` with `int()` and multiplies it by
    the page: a whole number from 1 to `LAST_PAGE`, else refused naming it."""
    if value is None:
        return
    try:
        number = int(value)
    except ValueError:
        number = 0
    if not 1 <= number <= LAST_PAGE:
        raise tk.ValidationError({"limit": [tk._("Give a whole number from {low} to {high}.")
                                            .format(low=1, high=LAST_PAGE)]})


def _dcat_format(name: str | None) -> None:
    from ckanext.dcat.utils import CONTENT_TYPES
    if name not in CONTENT_TYPES:
        raise tk.ObjectNotFound(tk._("No such format: {name}").format(name=name))


def _form_fields(form, fields: tuple[str, ...]) -> None:
    missing = {field: [tk._("Missing value")] for field in fields
               if not isinstance(form.get(field), str)}
    if missing:
        raise tk.ValidationError(missing)
