"""`ckan kg ...`: ingest Data Packages from a folder (datasets/); keep the
search's frequent words."""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk
import click


@click.group(short_help="The portal's own commands (ckanext-kg).")
def kg() -> None:
    pass


FOLDER = click.argument(
    "folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
DRY_RUN = click.option("--dry-run", is_flag=True,
                       help="Print what would change and change nothing.")


@kg.command("ingest")
@FOLDER
@DRY_RUN
def ingest(folder: Path, dry_run: bool) -> None:
    """Publish every Data Package under FOLDER (one folder per dataset).

    Agencies come from FOLDER/_organizations.json. A dataset is created (or
    updated) privately, its new or changed tables uploaded and validated;
    unchanged files (by SHA-256) are not uploaded again. It is made public
    only when every table passed and it meets the data-exchange code; the
    reasons are printed otherwise. A public dataset is changed only when
    all its changed tables pass validation here first. Exits 1 when
    anything failed.
    """
    _ingest(folder, dry_run)


@kg.command("publish")
@FOLDER
@DRY_RUN
def publish(folder: Path, dry_run: bool) -> None:
    """The same as `ckan kg ingest`."""
    _ingest(folder, dry_run)


def _ingest(folder: Path, dry_run: bool) -> None:
    from ckanext.kg.publishing import ingest
    from ckanext.kg.site_user import site_context
    # a dry run reads as nobody in particular: even the site user is not created
    context = {"ignore_auth": True} if dry_run else dict(
        site_context(), kg_validate_sync=True)  # large files too
    started = time.monotonic()
    failures = _organizations(context, folder, dry_run)
    descriptors = sorted(folder.glob("*/datapackage.json"))
    public = 0
    for descriptor in descriptors:
        name = descriptor.parent.name
        try:
            plan = ingest.plan_package(context, descriptor)
            if dry_run:
                failures += _show(plan)
            elif ingest.apply(context, plan, _fail):
                public += 1
            else:
                failures += 1
        except ingest.PackageError as error:
            failures += 1
            _fail(f"{name}: not published: {error}")
        except tk.ValidationError as error:
            failures += 1
            _fail(f"{name}: not published: {error.error_dict}")
        except Exception as error:  # noqa: BLE001 - the other packages go on
            failures += 1  # (a table that could not be judged was undone)
            _fail(f"{name}: not published: {type(error).__name__}: {error}")
    if not dry_run:
        click.echo(f"{public} of {len(descriptors)} datasets public "
                   f"({time.monotonic() - started:.1f} s)")
    if failures:
        raise click.exceptions.Exit(1)


def _organizations(context: dict[str, Any], folder: Path, dry_run: bool) -> int:
    from ckanext.kg.publishing import ingest
    path = folder / "_organizations.json"
    if not path.exists():
        return 0
    try:
        organizations = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as error:
        _fail(f"{path.name}: {error}")
        return 1
    for org in organizations:
        change = ingest.plan_organization(context, org)
        if dry_run:
            if change != ingest.UNCHANGED:
                click.echo(f"agency {org['name']}: would {change}")
            continue
        try:
            ingest.apply_organization(context, org, change)
        except tk.ValidationError as error:
            _fail(f"agency {org['name']}: {error.error_dict}")
            return 1
        if change != ingest.UNCHANGED:
            click.echo(f"agency {org['name']}: {change}d")
    return 0


def _show(plan: Any) -> int:
    """Print the plan of a dry run; 1 when a table would fail validation."""
    from ckanext.kg.publishing import ingest
    passes = plan.unchanged or ingest.check_locally(plan)
    for line in plan.lines():
        click.echo(line)
    return 0 if passes else 1


@kg.command("keep-frequent-words")
@click.argument("words", nargs=-1)
@click.option("--count", type=int, default=None,
              help="How many words to keep (ckanext.kg.search.frequent_words).")
@click.option("--min-percent", type=int, default=None,
              help="Keep only words in at least this share of the datasets "
                   "(ckanext.kg.search.frequent_words_min_percent).")
def keep_frequent_words(words: tuple[str, ...], count: Any, min_percent: Any) -> None:
    """Keep exact answers for searches of the most frequent words.

    Picks the words in the most datasets of the search index (or WORDS, in
    this order), computes their hits and facet counts in one transaction
    (index writes wait until it commits) and prints each kept word with its
    number of datasets. From then on every write keeps them exact, and a
    search for one of these words alone (filtered by visibility only, by
    score or newest first) reads them instead of ranking every hit. Run
    again when the catalogue's vocabulary has changed: words kept before
    are not computed again, only the new ones; `--count 0` keeps none.
    """
    import sqlalchemy as sa
    from ckan import model

    from ckanext.kg.search import frequent_words, index_table
    # declared by the `kg` plugin; the same defaults when only `kg_pgsearch` runs
    if count is None:
        count = int(tk.config.get("ckanext.kg.search.frequent_words", 20))
    if min_percent is None:
        min_percent = int(tk.config.get(
            "ckanext.kg.search.frequent_words_min_percent", 5))
    session = model.Session
    index_table.ensure_table(session)
    if not words:
        datasets = session.execute(sa.text(
            "SELECT count(*) FROM kg_search_index")).scalar()
        minimum = max(1, -(-datasets * min_percent // 100))
        words = tuple(w for w, _ in frequent_words.candidates(session, count, minimum))
    kept = frequent_words.keep(session, list(words), count)
    session.commit()
    for word, datasets in kept:
        click.echo(f"{word}\t{datasets}")
    click.echo(f"{len(kept)} frequent word(s) kept", err=True)


def _fail(message: str) -> None:
    click.secho(message, fg="red", err=True)


__all__ = ["kg"]
