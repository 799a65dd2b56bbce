"""Who may read the code's compliance and validation reports: whoever may
read the dataset; who may revalidate a table: whoever may change it; who
may write rows into the DataStore: only sysadmins, since a table's rows
otherwise come only from a file that passed validation; who may list or
change a dataset's collaborators: a signed-in user first (CKAN 2.12's
checks assume one and fail on an anonymous request). A dataset the caller
may not read does not exist for them (`package_show`)."""
from __future__ import annotations

import ckan.authz as authz
import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ckanext.kg.logic import visibility

__all__ = [
    "package_show",
    "package_update",
    "package_delete",
    "resource_create",
    "resource_update",
    "resource_delete",
    "datastore_search",
    "datastore_info",
    "kg_compliance_show",
    "kg_validation_show",
    "kg_validation_retry",
    "kg_most_downloaded_list",
    "kg_resource_versions",
    "kg_resource_diff",
    "datastore_create",
    "datastore_upsert",
    "datastore_delete",
    "datastore_records_delete",
    "package_collaborator_list",
    "package_collaborator_create",
    "package_collaborator_delete",
]


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def package_show(up_func, context: Context, data_dict: DataDict) -> AuthResult:
    """A private or draft dataset the caller may not read is refused with
    CKAN's own answer for an unknown one (NotFound, no message), never a 403
    naming its id. Every check that goes through this one (resources,
    DataStore tables, activity, resource views, DCAT, the code's reports)
    answers alike, through the API and the pages."""
    result = up_func(context, data_dict)
    if not result.get("success"):
        raise tk.ObjectNotFound()
    return result


def _unknown_if_hidden(hidden, context: Context, named) -> None:
    """CKAN's answer for an unknown dataset or resource (NotFound) when the
    one named exists but is hidden from the caller."""
    if isinstance(named, str) and hidden(context, named):
        raise tk.ObjectNotFound()


@tk.chained_auth_function
def package_update(up_func, context: Context, data_dict: DataDict) -> AuthResult:
    """Changing a dataset the caller may not read: as for an unknown one."""
    _unknown_if_hidden(visibility.dataset_hidden, context, data_dict.get("id"))
    return up_func(context, data_dict)


@tk.chained_auth_function
def package_delete(up_func, context: Context, data_dict: DataDict) -> AuthResult:
    _unknown_if_hidden(visibility.dataset_hidden, context, data_dict.get("id"))
    return up_func(context, data_dict)


@tk.chained_auth_function
def resource_create(up_func, context: Context, data_dict: DataDict) -> AuthResult:
    _unknown_if_hidden(visibility.dataset_hidden, context, data_dict.get("package_id"))
    return up_func(context, data_dict)


@tk.chained_auth_function
def resource_update(up_func, context: Context, data_dict: DataDict) -> AuthResult:
    _unknown_if_hidden(visibility.resource_hidden, context, data_dict.get("id"))
    return up_func(context, data_dict)


@tk.chained_auth_function
def resource_delete(up_func, context: Context, data_dict: DataDict) -> AuthResult:
    _unknown_if_hidden(visibility.resource_hidden, context, data_dict.get("id"))
    return up_func(context, data_dict)


def _refused_when_hidden(up_func, context: Context, data_dict: DataDict) -> AuthResult:
    """The DataStore's own pages catch only a refusal, and answer it as an
    unknown table: a hidden table is refused, never NotFound (a 500)."""
    try:
        return up_func(context, data_dict)
    except tk.ObjectNotFound:
        return {"success": False}


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def datastore_search(up_func, context: Context, data_dict: DataDict) -> AuthResult:
    return _refused_when_hidden(up_func, context, data_dict)


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def datastore_info(up_func, context: Context, data_dict: DataDict) -> AuthResult:
    return _refused_when_hidden(up_func, context, data_dict)


@tk.auth_allow_anonymous_access
def kg_compliance_show(context: Context, data_dict: DataDict) -> AuthResult:
    return authz.is_authorized("package_show", context, data_dict)


@tk.auth_allow_anonymous_access
def kg_validation_show(context: Context, data_dict: DataDict) -> AuthResult:
    return authz.is_authorized("resource_show", context, data_dict)


@tk.auth_allow_anonymous_access
def kg_most_downloaded_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Anyone: it lists public datasets only."""
    return {"success": True}


@tk.auth_allow_anonymous_access
def kg_resource_versions(context: Context, data_dict: DataDict) -> AuthResult:
    """Every version of a table, its files and differences: whoever may
    read the table (a private dataset's versions stay private)."""
    return authz.is_authorized("resource_show", context, data_dict)


@tk.auth_allow_anonymous_access
def kg_resource_diff(context: Context, data_dict: DataDict) -> AuthResult:
    return authz.is_authorized("resource_show", context, data_dict)


def kg_validation_retry(context: Context, data_dict: DataDict) -> AuthResult:
    """Whoever may change the resource may have it validated again."""
    return authz.is_authorized("resource_update", context, data_dict)


def _through_publishing_only(up_func, context: Context, data_dict: DataDict) -> AuthResult:
    """Rows written by hand would be served without validation. The
    portal's own loads run with the site user's context (no auth check);
    sysadmins keep CKAN's rules, for repairs."""
    if authz.is_sysadmin(context.get("user")):
        return up_func(context, data_dict)
    return {"success": False, "msg": tk._(
        "A table's rows change only with a new file, which is validated first: "
        "upload it as the resource's file.")}


@tk.chained_auth_function
def datastore_create(up_func, context: Context, data_dict: DataDict) -> AuthResult:
    return _through_publishing_only(up_func, context, data_dict)


@tk.chained_auth_function
def datastore_upsert(up_func, context: Context, data_dict: DataDict) -> AuthResult:
    return _through_publishing_only(up_func, context, data_dict)


@tk.chained_auth_function
def datastore_delete(up_func, context: Context, data_dict: DataDict) -> AuthResult:
    return _through_publishing_only(up_func, context, data_dict)


@tk.chained_auth_function
def datastore_records_delete(up_func, context: Context, data_dict: DataDict) -> AuthResult:
    return _through_publishing_only(up_func, context, data_dict)


def _signed_in_only(up_func, context: Context, data_dict: DataDict) -> AuthResult:
    """CKAN's collaborator checks assert a signed-in user and an existing
    dataset (create and delete check before the action looks the dataset
    up): without one, a refusal; without the other, CKAN's own 404."""
    from ckan import model
    if model.User.get(context.get("user") or "") is None:
        return {"success": False, "msg": tk._("Sign in first.")}
    if model.Package.get(data_dict.get("id") or "") is None:
        raise tk.ObjectNotFound(tk._("Dataset not found"))
    return up_func(context, data_dict)


@tk.chained_auth_function
def package_collaborator_list(up_func, context: Context, data_dict: DataDict) -> AuthResult:
    return _signed_in_only(up_func, context, data_dict)


@tk.chained_auth_function
def package_collaborator_create(up_func, context: Context, data_dict: DataDict) -> AuthResult:
    return _signed_in_only(up_func, context, data_dict)


@tk.chained_auth_function
def package_collaborator_delete(up_func, context: Context, data_dict: DataDict) -> AuthResult:
    return _signed_in_only(up_func, context, data_dict)
