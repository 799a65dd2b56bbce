"""Pages whose view reads a value before checking it, found by the fuzzers
(tests/fuzz): a DCAT address in a format ckanext-dcat does not write (rdflib
has no serializer of that name), a login form posted without a login
(CKAN's authenticator lowers None) and a resource form posted without its
`save` button (CKAN deletes the field before it checks anything), each a
500. Checked before the view runs; the refusals are answered by `errors`
(a 404, a 400 naming the field).
"""
from __future__ import annotations

import ckan.plugins.toolkit as tk

DCAT_PAGES = ("dcat.read_catalog", "dcat.read_dataset", "dcat.read_dataset_series")
RESOURCE_FORMS = ("dataset_resource.new", "resource.new", "dataset_resource.edit",
                  "resource.edit")


def refuse_unreadable_page_request() -> None:
    from flask import request
    if request.endpoint in DCAT_PAGES:
        _dcat_format((request.view_args or {}).get("_format"))
    elif request.endpoint == "user.login" and request.method == "POST":
        _form_fields(request.form, ("login", "password"))
    elif request.endpoint in RESOURCE_FORMS and request.method == "POST":
        _form_fields(request.form, ("save",))


def _dcat_format(name: str | None) -> None:
    from ckanext.dcat.utils import CONTENT_TYPES
    if name not in CONTENT_TYPES:
        raise tk.ObjectNotFound(tk._("No such format: {name}").format(name=name))


def _form_fields(form, fields: tuple[str, ...]) -> None:
    missing = {field: [tk._("Missing value")] for field in fields
               if not isinstance(form.get(field), str)}
    if missing:
        raise tk.ValidationError(missing)
