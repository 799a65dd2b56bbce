"""Kyrgyz letters and writing-system (script) mixing inside words.

Two concerns that both act on single words of Kyrgyz or Russian text:

- ``KYRGYZ_LETTER_VARIANTS``: code points that legacy fonts and keyboards use
  for the Kyrgyz letter ң; they are unified to the standard letter;
- ``find_mixed_script_words``: words mixing Latin and Cyrillic letters that
  look alike (``a``/``а``, ``o``/``о``, ``ɵ``/``ө``...): a Latin letter in a
  Cyrillic word, or a Cyrillic letter in a Latin word ("Еducation").
  These are only reported: the right letter cannot be known for certain.
"""

from __future__ import annotations

import re

KYRGYZ_LETTER_VARIANTS = {
    "\u04c7": "\u04a2",  # Ӈ CAPITAL EN WITH HOOK -> Ң CAPITAL EN WITH DESCENDER
    "\u04c8": "\u04a3",  # ӈ SMALL EN WITH HOOK -> ң SMALL EN WITH DESCENDER
    "\u04c9": "\u04a2",  # Ӊ CAPITAL EN WITH TAIL -> Ң CAPITAL EN WITH DESCENDER
    "\u04ca": "\u04a3",  # ӊ SMALL EN WITH TAIL -> ң SMALL EN WITH DESCENDER
}
KYRGYZ_VARIANT_TABLE = str.maketrans(KYRGYZ_LETTER_VARIANTS)
KYRGYZ_VARIANT_CHARS = re.compile("[" + "".join(KYRGYZ_LETTER_VARIANTS) + "]")

# Latin letters whose glyph is (nearly) the same as a Cyrillic letter's.
LATIN_LOOKALIKES = "AaBCcEeHIiJjKMOoPpSsTXxYy\u0275\u019f"
WORD = re.compile("[A-Za-z\u0275\u019f\u0400-\u04ff]+")
CYRILLIC_LETTER = re.compile("[\u0400-\u04ff]")
LOOKALIKE_LETTER = re.compile("[" + LATIN_LOOKALIKES + "]")


_LETTERS = "A-Za-z\u0275\u019f\u0400-\u04ff"
MIXED_WORD = re.compile(
    f"[\u0400-\u04ff][{_LETTERS}]*[{LATIN_LOOKALIKES}]|[{LATIN_LOOKALIKES}][{_LETTERS}]*[\u0400-\u04ff]"
)


# A word holding both scripts has a Cyrillic letter right next to a Latin one.
SCRIPT_BOUNDARY = re.compile(
    "[\u0400-\u04ff][A-Za-z\u0275\u019f]|[A-Za-z\u0275\u019f][\u0400-\u04ff]"
)


def has_mixed_script_word(text: str) -> bool:
    """Fast test: does any word in ``text`` mix Cyrillic and look-alike Latin letters?"""
    return SCRIPT_BOUNDARY.search(text) is not None and MIXED_WORD.search(text) is not None


def unify_kyrgyz_letters(text: str) -> str:
    """Replace variant code points of Kyrgyz letters by the standard ones."""
    return text.translate(KYRGYZ_VARIANT_TABLE)


def find_mixed_script_words(text: str) -> list[str]:
    """Words holding both Cyrillic letters and Latin look-alike letters.

    ``Кыргызстaн`` with a Latin ``a`` and ``Еducation`` with a Cyrillic
    ``Е`` are returned; ``Bishkek`` and ``Бишкек`` are not. A hyphen or a space separates words, so
    ``Wi-Fi-зона`` yields nothing.
    """
    return [
        word for word in WORD.findall(text)
        if CYRILLIC_LETTER.search(word) and LOOKALIKE_LETTER.search(word)
    ]
