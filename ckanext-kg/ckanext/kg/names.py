"""URL names for datasets and agencies from Kyrgyz, Russian or English titles.

CKAN's own slug maps Cyrillic letters to Latin look-alikes ("Кыргызстан"
becomes ``kbiprbi3ctah``). Here titles are transliterated: Russian letters
by the Wikipedia scheme of the `iuliia` library, and the three letters that
Kyrgyz adds by the Kyrgyz convention (ң → ng, ө → o, ү → u), so that
"Кыргызстан" gives ``kyrgyzstan`` and "Өнүгүү" gives ``onuguu``.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Callable

import iuliia

# CKAN: names are 2..100 characters of lower-case a-z, 0-9, '-' and '_'.
NAME_MIN, NAME_MAX = 2, 100
_KYRGYZ_LETTERS = str.maketrans({
    "ң": "ng", "Ң": "Ng", "ө": "o", "Ө": "O", "ү": "u", "Ү": "U",
    # look-alike code points found in real files, before NFC
    "ӊ": "ng", "Ӊ": "Ng", "ӈ": "ng", "Ӈ": "Ng",
})
_NOT_NAME = re.compile(r"[^a-z0-9]+")


def transliterate(text: str) -> str:
    """Latin letters for a Kyrgyz, Russian or mixed text."""
    text = unicodedata.normalize("NFC", text).translate(_KYRGYZ_LETTERS)
    latin = iuliia.WIKIPEDIA.translate(text)
    return "".join(_ascii(c) for c in latin)


def _ascii(char: str) -> str:
    """A character without its accents; a space if nothing ASCII is left."""
    if char.isascii():
        return char
    folded = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
    return folded or " "


def name_from_title(title: str) -> str:
    """A CKAN URL name for a title; empty when the title has no letters or digits."""
    slug = _NOT_NAME.sub("-", transliterate(title).lower()).strip("-")
    if len(slug) > NAME_MAX:
        slug = slug[:NAME_MAX].rsplit("-", 1)[0] or slug[:NAME_MAX]
    return slug if len(slug) >= NAME_MIN else ""


def unique_name(base: str, is_taken: Callable[[str], bool]) -> str:
    """`base`, or `base-2`, `base-3`, ... : the first that is not taken."""
    if not is_taken(base):
        return base
    for n in range(2, 10_000):
        suffix = f"-{n}"
        candidate = base[:NAME_MAX - len(suffix)].rstrip("-") + suffix
        if not is_taken(candidate):
            return candidate
    raise ValueError(f"no free name for {base!r}")
