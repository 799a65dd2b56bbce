"""What a reader asks of a table's preview, read from the page's address:
the column to sort by, a condition per column and the page. The same
query becomes `datastore_search`'s parameters (the preview, the chart)
and the parameters of the filtered downloads (`/export/<fmt>`), so a
download holds exactly the rows the preview shows.

The address names conditions as `<operation>.<column>`:

- `eq.<column>`: the value equals (a text, or one of an `enum`'s values);
- `has.<column>`: a text column holds these words (full-text search);
- `min.<column>` / `max.<column>`: a number or a date at least / at most.

`sort=<column>` with `order=desc` sorts; `page=<n>` pages. Blank values
are no condition (a form sends every input). Anything else is refused
with `PreviewQueryError`, naming the parameter, in the reader's language.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Mapping, Optional

import ckan.plugins.toolkit as tk

ROWS = 20  # rows on a page of the preview
LARGEST_PAGE = 5_000  # 100 000 rows in: the DataStore's offset stays cheap
LONGEST_TEXT = 200
OPERATIONS = ("eq", "has", "min", "max")

# how a column is filtered, from its DataStore type and its Table Schema
NUMBER, DATE, CHOICE, TEXT, OTHER = "number", "date", "choice", "text", "other"
_NUMERIC = ("int", "int2", "int4", "int8", "float4", "float8", "numeric")
_DATES = ("date", "timestamp")


class PreviewQueryError(Exception):
    """A parameter of the preview's address that cannot be right."""

    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter, self.message = parameter, message


@dataclass(frozen=True)
class Column:
    """A column of a published table as the preview filters it."""
    name: str
    store_type: str  # the DataStore's type (`int8`, `text`, `date`, ...)
    choices: tuple[Any, ...] = ()  # an `enum`'s values, or true/false

    @property
    def kind(self) -> str:
        if self.choices:
            return CHOICE
        if self.store_type in _NUMERIC:
            return NUMBER
        if self.store_type in _DATES:
            return DATE
        return TEXT if self.store_type == "text" else OTHER

    @property
    def operations(self) -> tuple[str, ...]:
        return {NUMBER: ("min", "max"), DATE: ("min", "max"), CHOICE: ("eq",),
                TEXT: ("eq", "has")}.get(self.kind, ())


def columns_of(store_fields: list[dict[str, Any]],
               schema: Optional[dict[str, Any]]) -> list[Column]:
    """The table's columns (the DataStore's fields, `_id` left out), with
    the choices its Table Schema allows (`enum`, or a boolean's two)."""
    by_name = {f.get("name"): f for f in (schema or {}).get("fields") or []
               if isinstance(f, dict)}
    found = []
    for store_field in store_fields:
        if store_field["id"] == "_id":
            continue
        described = by_name.get(store_field["id"]) or {}
        enum = (described.get("constraints") or {}).get("enum")
        choices: tuple[Any, ...] = ()
        if store_field["type"] == "bool":
            choices = (True, False)
        elif isinstance(enum, list) and all(isinstance(v, (str, int, float)) for v in enum):
            choices = tuple(enum)
        found.append(Column(store_field["id"], store_field["type"], choices))
    return found


@dataclass(frozen=True)
class Condition:
    column: str
    operation: str
    value: Any  # typed: a number, an ISO date, a text, a choice

    @property
    def parameter(self) -> str:
        return f"{self.operation}.{self.column}"


@dataclass(frozen=True)
class PreviewQuery:
    sort: Optional[str] = None
    descending: bool = False
    conditions: tuple[Condition, ...] = ()
    page: int = 1
    shown: dict[str, str] = field(default_factory=dict)  # parameter -> as given

    def filters(self) -> dict[str, Any]:
        """`datastore_search`'s `filters`: equality, and ranges as CKAN
        2.12's filter operations (`gte`, `lte`)."""
        found: dict[str, Any] = {}
        for condition in self.conditions:
            if condition.operation == "eq":
                found[condition.column] = condition.value
            elif condition.operation in ("min", "max"):
                bound = "gte" if condition.operation == "min" else "lte"
                found.setdefault(condition.column, {})[bound] = condition.value
        return found

    def words(self) -> dict[str, str]:
        """`datastore_search`'s `q` as a column -> words object."""
        return {c.column: c.value for c in self.conditions if c.operation == "has"}

    def order(self) -> Optional[str]:
        if self.sort is None:
            return None
        quoted = '"' + self.sort.replace('"', '""') + '"'
        return f"{quoted} {'desc' if self.descending else 'asc'}"

    def search(self, rows: int = ROWS) -> dict[str, Any]:
        """The parameters of `datastore_search` for this page of the preview;
        `_id` breaks ties, so that pages neither repeat nor skip rows."""
        found: dict[str, Any] = {"limit": rows, "offset": (self.page - 1) * rows,
                                 "include_total": True,
                                 "sort": ", ".join(filter(None, [self.order(), "_id"]))}
        if self.filters():
            found["filters"] = self.filters()
        if self.words():
            found["q"] = self.words()
        return found

    def download(self) -> dict[str, str]:
        """The parameters of a filtered download (`/export/<fmt>`) of the
        rows this query selects, in its order; none for the whole table."""
        found = {}
        if self.filters():
            found["filters"] = json.dumps(self.filters(), ensure_ascii=False)
        if self.words():
            found["q"] = json.dumps(self.words(), ensure_ascii=False)
        if self.sort is not None:
            found["sort"] = f"{self.order()}, _id"
        return found

    def address(self, **changes: Any) -> dict[str, str]:
        """This query's parameters for a link, with `changes` (None drops one)."""
        found = dict(self.shown)
        if self.sort is not None:
            found["sort"] = self.sort
            if self.descending:
                found["order"] = "desc"
        if self.page > 1:
            found["page"] = str(self.page)
        for name, value in changes.items():
            found.pop(name, None)
            if value is not None:
                found[name] = str(value)
        return found


def parse(args: Any, columns: list[Column]) -> PreviewQuery:
    """The preview's query from the page's parameters (a MultiDict, or a
    mapping of lists); other parameters are the page's own and left alone."""
    by_name = {c.name: c for c in columns}
    sort = _single(args, "sort")
    if sort is not None and sort not in by_name:
        raise PreviewQueryError("sort", _no_column(sort))
    order = _single(args, "order")
    if order not in (None, "asc", "desc"):
        raise PreviewQueryError("order", tk._("Give asc or desc."))
    conditions, shown = [], {}
    for name in _keys(args):
        operation, dot, column_name = name.partition(".")
        if not dot or operation not in OPERATIONS:
            continue
        value = _single(args, name)
        if value is None:
            continue
        column = by_name.get(column_name)
        if column is None:
            raise PreviewQueryError(name, _no_column(column_name))
        if operation not in column.operations:
            raise PreviewQueryError(name, tk._("This column cannot be filtered this way."))
        conditions.append(Condition(column.name, operation, _typed(name, column, value)))
        shown[name] = value
    return PreviewQuery(sort=sort, descending=order == "desc",
                        conditions=tuple(conditions), page=_page(args), shown=shown)


def _keys(args: Any) -> list[str]:
    return list(args.keys())


def _values(args: Any, name: str) -> list[str]:
    if hasattr(args, "getlist"):
        return args.getlist(name)
    found = args.get(name)
    return found if isinstance(found, list) else [] if found is None else [found]


def _single(args: Any, name: str) -> Optional[str]:
    """A parameter's one value, None when blank or absent."""
    given = [v for v in _values(args, name) if isinstance(v, str) and v.strip()]
    if len(given) > 1:
        raise PreviewQueryError(name, tk._("Give one value."))
    if not given:
        return None
    if len(given[0]) > LONGEST_TEXT:
        raise PreviewQueryError(name, tk._("Give at most {count} characters.").format(
            count=LONGEST_TEXT))
    return given[0].strip()


def _page(args: Any) -> int:
    given = _single(args, "page")
    if given is None:
        return 1
    if not given.isascii() or not given.isdigit() or not 1 <= int(given) <= LARGEST_PAGE:
        raise PreviewQueryError("page", tk._(
            "Give a page number from 1 to {largest}.").format(largest=LARGEST_PAGE))
    return int(given)


def _typed(parameter: str, column: Column, value: str) -> Any:
    if column.kind == NUMBER:
        return _number(parameter, value)
    if column.kind == DATE:
        day = _date(parameter, value)
        if column.store_type == "timestamp" and parameter.startswith("max."):
            return f"{day}T23:59:59.999999"  # the whole of the last day
        return day
    if column.kind == CHOICE:
        return _choice(parameter, column, value)
    return value


def _number(parameter: str, value: str) -> Any:
    try:
        exact = Decimal(value.replace(" ", "").replace("\u00a0", "").replace(",", "."))
    except InvalidOperation:
        exact = None
    if exact is None or not exact.is_finite() or abs(exact.adjusted()) > 30:
        raise PreviewQueryError(parameter, tk._("Give a number, such as 1500 or 2,5."))
    return int(exact) if exact == exact.to_integral_value() else float(exact)


def _date(parameter: str, value: str) -> str:
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise PreviewQueryError(parameter, tk._(
            "Give a date as year-month-day, such as 2024-01-31.")) from None


def _choice(parameter: str, column: Column, value: str) -> Any:
    for choice in column.choices:
        if str(choice).lower() == value.lower():
            return choice
    raise PreviewQueryError(parameter, tk._("Choose one of: {values}.").format(
        values=", ".join(str(c).lower() if isinstance(c, bool) else str(c)
                         for c in column.choices)))


def _no_column(name: str) -> str:
    return tk._("This table has no column named {name}.").format(name=name)


def is_asked(args: Mapping[str, Any]) -> bool:
    """Whether the address names any of the preview's parameters."""
    return any(name in ("sort", "order", "page") or name.partition(".")[0] in OPERATIONS
               for name in _keys(args))
