"""A generated national catalogue for the search benchmark.

Words follow Zipf's law in Kyrgyz, Russian and English (a few words are in
most datasets, most words in a handful), so a query matches anything from a
handful of datasets to most of them, as on a real portal. Datasets belong to
many agencies and groups, carry tags, formats, licences and themes, and some
are private or drafts.

`dataset` gives the input of `package_create`. `CatalogueWriter` writes the
same dataset straight into CKAN's tables (`package`, `resource`, `tag`,
`package_tag`, `member`), exactly the rows `package_create` writes for it
(tests/test_search_bench_catalogue.py compares them, and the index rows
`ckan search-index rebuild` then makes, with those of `package_create`), so
that 100,000 datasets take minutes instead of an hour. Only the activity
stream is left out: search never reads it.
"""
from __future__ import annotations

import bisect
import datetime as dt
import itertools
import json
import random
import uuid
from typing import Any, Iterable

# The most frequent words of each language (ranks 1..20), then generated
# words of the language's alphabet for the long tail.
TOP_KY = ["калк", "саны", "облус", "район", "айыл", "чарба", "билим", "берүү",
          "саламаттык", "өнүгүү", "санарип", "эмгек", "маяна", "жумушсуздук",
          "бюджет", "салык", "экспорт", "импорт", "туризм", "энергетика"]
TOP_RU = ["население", "численность", "область", "район", "сельское",
          "хозяйство", "образование", "здравоохранение", "развитие", "цифровой",
          "труд", "зарплата", "безработица", "бюджет", "налог", "экспорт",
          "импорт", "туризм", "энергетика", "статистика"]
TOP_EN = ["population", "region", "district", "agriculture", "education",
          "health", "development", "digital", "labour", "wages",
          "unemployment", "budget", "tax", "exports", "imports", "tourism",
          "energy", "statistics", "census", "prices"]
_SYLLABLES = {
    "ky": (["б", "г", "ж", "к", "л", "м", "н", "ң", "р", "с", "т", "ч", "ш", "й"],
           ["а", "о", "у", "ү", "ө", "ы", "е", "и"]),
    "ru": (["б", "в", "г", "д", "ж", "з", "к", "л", "м", "н", "п", "р", "с", "т",
            "ф", "х", "ц", "ч", "ш"], ["а", "е", "и", "о", "у", "ы", "я", "ю"]),
    "en": (list("bcdfghklmnprstvwz"), list("aeiou")),
}
VOCABULARY_SIZE = 20000
ZIPF_EXPONENT = 1.07
# Not tables: a table cannot be public until its file has passed validation.
FORMATS = ["JSON", "XML", "PDF", "ZIP", "API", "HTML", "DOCX", "GeoJSON"]
LICENSES = ["cc-by", "cc-zero", "odc-by", "odc-odbl", "odc-pddl"]
REGION_CODES = ["KG02000000000", "KG03000000000", "KG04000000000", "KG05000000000",
                "KG06000000000", "KG07000000000", "KG08000000000", "KG11000000000",
                "KG21000000000"]
THEMES = ["AGRI", "ECON", "EDUC", "ENER", "ENVI", "GOVE", "HEAL", "JUST", "REGI",
          "SOCI", "TECH", "TRAN"]
ORGANIZATIONS = [f"agency-{k:02d}" for k in range(60)]
GROUPS = [f"theme-{k:02d}" for k in range(15)]
PRIVATE_SHARE = 0.1
DRAFT_SHARE = 0.02


def _generated_words(lang: str, count: int, seed: int) -> list[str]:
    consonants, vowels = _SYLLABLES[lang]
    rng = random.Random(f"{seed}-{lang}")
    words: list[str] = []
    seen = set(TOP_KY + TOP_RU + TOP_EN)
    while len(words) < count:
        syllables = rng.randint(2, 4)
        word = "".join(rng.choice(consonants) + rng.choice(vowels)
                       for _ in range(syllables)) + rng.choice(consonants)
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


class Vocabulary:
    """A language's words in order of frequency, drawn by Zipf's law."""

    def __init__(self, lang: str, top: list[str], size: int = VOCABULARY_SIZE,
                 seed: int = 2026) -> None:
        self.words = top + _generated_words(lang, size - len(top), seed)
        weights = [1 / (rank ** ZIPF_EXPONENT) for rank in range(1, size + 1)]
        self._cumulative = list(itertools.accumulate(weights))

    def draw(self, rng: random.Random, n: int) -> list[str]:
        total = self._cumulative[-1]
        return [self.words[bisect.bisect(self._cumulative, rng.random() * total)]
                for _ in range(n)]

    def common(self, rng: random.Random) -> str:
        """One of the three most frequent words: in most datasets."""
        return rng.choice(self.words[:3])

    def rare(self, rng: random.Random) -> str:
        """A word of the long tail: in a handful of datasets, or none."""
        return rng.choice(self.words[len(self.words) // 2:])


VOCABULARIES = {"ky": Vocabulary("ky", TOP_KY), "ru": Vocabulary("ru", TOP_RU),
                "en": Vocabulary("en", TOP_EN)}


def _sentence(rng: random.Random, lang: str, n: int) -> str:
    return " ".join(VOCABULARIES[lang].draw(rng, n))


def dataset(rng: random.Random, i: int) -> dict[str, Any]:
    """The `package_create` input of dataset `i` (it meets the data-exchange
    code, so it can be public)."""
    title_length = rng.randint(3, 6)
    data = {
        "name": f"bench-{i:06d}",
        "title_translated": {lang: _sentence(rng, lang, title_length).capitalize()
                             for lang in ("ky", "ru", "en")},
        "notes_translated": {lang: _sentence(rng, lang, 25)
                             for lang in ("ky", "ru", "en")},
        "keywords": {lang: sorted(set(VOCABULARIES[lang].draw(rng, 2)))
                     for lang in ("ky", "ru")},
        "owner_org": ORGANIZATIONS[min(int(rng.paretovariate(1.2)) - 1,
                                       len(ORGANIZATIONS) - 1)
                                   if rng.random() < 0.5
                                   else rng.randrange(len(ORGANIZATIONS))],
        "groups": [{"name": g} for g in sorted(rng.sample(GROUPS, rng.randint(0, 2)))],
        "contact_name": "Open data desk",
        "contact_email": "open-data@example.invalid",
        "license_id": rng.choice(LICENSES),
        "access_level": "open",
        "frequency": rng.choice(["ANNUAL", "QUARTERLY", "MONTHLY"]),
        "temporal_start": f"{rng.randint(2000, 2023)}-01-01",
        "spatial_divisions": rng.sample(REGION_CODES, rng.randint(1, 3)),
        "theme": rng.choice(THEMES),
        "private": rng.random() < PRIVATE_SHARE,
        "resources": [{"url": f"http://example.invalid/{i}/{k}",
                       "name": _sentence(rng, "en", 2),
                       "format": rng.choice(FORMATS)}
                      for k in range(rng.randint(1, 3))],
    }
    if rng.random() < DRAFT_SHARE:
        data["state"] = "draft"
    return data


def datasets(seed: int, start: int, stop: int) -> Iterable[dict[str, Any]]:
    rng = random.Random(seed + start)
    for i in range(start, stop):
        yield dataset(rng, i)


def _json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


class CatalogueWriter:
    """Writes datasets into CKAN's tables as `package_create` would.

    `connection` is a psycopg2 connection to the CKAN database; `creator` the
    id of the user who "creates" them; organizations and groups must exist.
    """

    def __init__(self, connection: Any, creator: str) -> None:
        self.connection = connection
        self.creator = creator
        with connection.cursor() as cur:
            cur.execute('SELECT name, id FROM "group" WHERE state = %s', ("active",))
            self.groups = dict(cur.fetchall())
            cur.execute("SELECT name, id FROM tag WHERE vocabulary_id IS NULL")
            self.tags = dict(cur.fetchall())

    def write(self, data: Iterable[dict[str, Any]],
              now: dt.datetime | None = None) -> list[str]:
        """Insert the datasets (one transaction); their ids."""
        rows: dict[str, list[tuple]] = {"package": [], "resource": [], "tag": [],
                                        "package_tag": [], "member": []}
        ids = []
        for item in data:
            ids.append(self._rows(item, rows, now or dt.datetime.utcnow()))
        with self.connection.cursor() as cur:
            for table, values in rows.items():
                if values:
                    _insert(cur, table, values)
        self.connection.commit()
        return ids

    def _rows(self, data: dict[str, Any], rows: dict[str, list[tuple]],
              now: dt.datetime) -> str:
        package_id = data.get("id") or str(uuid.uuid4())
        org_id = self.groups[data["owner_org"]]
        extras = {key: data[key] for key in (
            "theme", "frequency", "access_level", "contact_name", "contact_email",
            "temporal_start")}
        for key in ("keywords", "notes_translated", "title_translated"):
            extras[key] = _json_text(data[key])
        # the schema's validator keeps division codes sorted
        extras["spatial_divisions"] = _json_text(sorted(data["spatial_divisions"]))
        rows["package"].append((
            package_id, data["name"], data["title_translated"]["ky"], None, None, None,
            None, None, None, None, data.get("state", "active"), data["license_id"],
            "dataset", org_id, data["private"], now, self.creator, now, None,
            json.dumps(extras, ensure_ascii=False)))
        for position, resource in enumerate(data["resources"]):
            rows["resource"].append((
                resource.get("id") or str(uuid.uuid4()), resource["url"],
                resource["format"], None, position,
                "", "active",
                json.dumps({"description_translated": "{}", "name_translated": "{}"}),
                resource["name"], None, None, None, None, None, None, None, now, None,
                package_id, now))
        names = sorted({w for words in data["keywords"].values() for w in words})
        for name in names:
            if name not in self.tags:
                self.tags[name] = str(uuid.uuid4())
                rows["tag"].append((self.tags[name], name, None))
            rows["package_tag"].append(
                (str(uuid.uuid4()), "active", package_id, self.tags[name]))
        for group in data["groups"]:
            rows["member"].append((str(uuid.uuid4()), self.groups[group["name"]],
                                   package_id, "active", "package", "public"))
        rows["member"].append((str(uuid.uuid4()), org_id, package_id, "active",
                               "package", "organization"))
        return package_id


_COLUMNS = {
    "package": ("id, name, title, version, url, notes, author, author_email, "
                "maintainer, maintainer_email, state, license_id, type, owner_org, "
                "private, metadata_modified, creator_user_id, metadata_created, "
                "plugin_data, extras"),
    "resource": ("id, url, format, description, position, hash, state, extras, name, "
                 "resource_type, mimetype, mimetype_inner, size, last_modified, "
                 "cache_url, cache_last_updated, created, url_type, package_id, "
                 "metadata_modified"),
    "tag": "id, name, vocabulary_id",
    "package_tag": "id, state, package_id, tag_id",
    "member": "id, group_id, table_id, state, table_name, capacity",
}


def _insert(cur: Any, table: str, values: list[tuple]) -> None:
    from psycopg2.extras import execute_values
    execute_values(cur, f'INSERT INTO "{table}" ({_COLUMNS[table]}) VALUES %s',
                   values, page_size=1000)
