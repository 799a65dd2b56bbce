"""Schemas of the parameters the portal checks before CKAN's own actions
run: numbers and flags that CKAN would otherwise turn into an internal
error (a blank or non-numeric `start`, a flag that is not true or false)
or into SQL text in the answer (a blank `offset`).

A blank value is a parameter not given, as in CKAN's own `rows`: a web
form sends its empty fields.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic.schema import validator_args
from ckan.types import Context, Schema, Validator

LARGEST_NUMBER = 2**63 - 1  # PostgreSQL's bigint: LIMIT and OFFSET take no larger
MOST_DOWNLOADED_LIMIT = 100
AGENCY_COMPLIANCE_ROWS = 1000  # an agency's datasets listed at once, at most


@validator_args
def package_search_parameters(ignore_empty: Validator, kg_single_value: Validator,
                              natural_number_validator: Validator,
                              int_validator: Validator, kg_boolean: Validator) -> Schema:
    number = [ignore_empty, kg_single_value, natural_number_validator, at_most(LARGEST_NUMBER)]
    flag = [ignore_empty, kg_single_value, kg_boolean]
    return {"rows": number, "start": number, "facet.mincount": number,
            "facet.limit": [ignore_empty, kg_single_value, int_validator,
                            at_most(LARGEST_NUMBER), at_least(-LARGEST_NUMBER)],
            "include_private": flag, "include_drafts": flag, "include_deleted": flag,
            "use_default_schema": flag}


@validator_args
def datastore_search_parameters(ignore_empty: Validator, kg_single_value: Validator,
                                natural_number_validator: Validator,
                                kg_datastore_filters: Validator) -> Schema:
    number = [ignore_empty, kg_single_value, natural_number_validator, at_most(LARGEST_NUMBER)]
    return {"limit": number, "offset": number,
            "filters": [kg_datastore_filters]}


@validator_args
def datastore_search_sql_parameters(not_empty: Validator, kg_single_value: Validator,
                                    unicode_safe: Validator) -> Schema:
    return {"sql": [not_empty, kg_single_value, unicode_safe]}


@validator_args
def most_downloaded_parameters(ignore_empty: Validator, kg_single_value: Validator,
                               natural_number_validator: Validator) -> Schema:
    return {"limit": [ignore_empty, kg_single_value, natural_number_validator,
                      at_most(MOST_DOWNLOADED_LIMIT)]}


@validator_args
def agency_compliance_parameters(ignore_missing: Validator, kg_single_value: Validator,
                                 natural_number_validator: Validator,
                                 kg_boolean: Validator) -> Schema:
    # ignore_missing, not ignore_empty: `rows=0` asks for the counts alone
    # (`checked` has left blank values out already)
    return {"start": [ignore_missing, kg_single_value, natural_number_validator,
                      at_most(LARGEST_NUMBER)],
            "rows": [ignore_missing, kg_single_value, natural_number_validator,
                     at_most(AGENCY_COMPLIANCE_ROWS)],
            "complies": [ignore_missing, kg_single_value, kg_boolean]}


def at_most(largest: int) -> Validator:
    def no_larger(value: Any, context: Context) -> Any:
        if isinstance(value, int) and value > largest:  # after a refusal: as given
            raise tk.Invalid(tk._("Give a number no larger than {largest}.").format(
                largest=largest))
        return value
    return no_larger


def at_least(smallest: int) -> Validator:
    def no_smaller(value: Any, context: Context) -> Any:
        if isinstance(value, int) and value < smallest:
            raise tk.Invalid(tk._("Give a number no smaller than {smallest}.").format(
                smallest=smallest))
        return value
    return no_smaller


def checked(context: Context, data_dict: dict[str, Any], schema: Schema) -> dict[str, Any]:
    """`data_dict` with the parameters of `schema` validated (blank ones
    left out: navl would not see an empty list); the other parameters as
    they are, for CKAN's own schema.
    Raises `tk.ValidationError` naming each parameter refused."""
    given = {name: data_dict[name] for name in schema
             if name in data_dict and not _blank(data_dict[name])}
    found, errors = tk.navl_validate(given, schema, context)
    if errors:
        raise tk.ValidationError(errors)
    rest = {name: value for name, value in data_dict.items() if name not in schema}
    return dict(rest, **{name: found[name] for name in schema if name in found})


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}
