"""Who may read the code's compliance and validation reports: whoever may
read the dataset; who may revalidate a table: whoever may change it."""
from __future__ import annotations

import ckan.authz as authz
import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

__all__ = [
    "kg_compliance_show",
    "kg_validation_show",
    "kg_validation_retry",
]


@tk.auth_allow_anonymous_access
def kg_compliance_show(context: Context, data_dict: DataDict) -> AuthResult:
    return authz.is_authorized("package_show", context, data_dict)


@tk.auth_allow_anonymous_access
def kg_validation_show(context: Context, data_dict: DataDict) -> AuthResult:
    return authz.is_authorized("resource_show", context, data_dict)


def kg_validation_retry(context: Context, data_dict: DataDict) -> AuthResult:
    """Whoever may change the resource may have it validated again."""
    return authz.is_authorized("resource_update", context, data_dict)
