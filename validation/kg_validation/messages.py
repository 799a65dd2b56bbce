"""Error messages in Kyrgyz, Russian and English, keyed by stable error codes.

Codes are frictionless's own (``type-error``, ``primary-key``...), the
portal's checks (``kg-...``) and the reasons a file is unreadable
(``empty-file``, ``binary-file``...). A code never changes; its wording may.

Placeholders: ``{row}`` row number, ``{col}`` column number, ``{name}``
column name, ``{cell}`` the value (or header label), ``{note}`` details.
"""

from __future__ import annotations

LANGUAGES = ("ky", "ru", "en")

_CELL = {
    "en": 'Row {row}, column {col} "{name}"',
    "ru": "Строка {row}, столбец {col} «{name}»",
    "ky": "{row}-сап, {col}-мамыча «{name}»",
}


def _cell(ky: str, ru: str, en: str) -> dict[str, str]:
    """Messages about one cell start with its position."""
    return {"ky": _CELL["ky"] + ": " + ky, "ru": _CELL["ru"] + ": " + ru, "en": _CELL["en"] + ": " + en}


MESSAGES: dict[str, dict[str, str]] = {
    # frictionless: cells
    "type-error": _cell(
        "«{cell}» мааниси мамычанын түрүнө туура келбейт ({note}).",
        "значение «{cell}» не соответствует типу столбца ({note}).",
        'the value "{cell}" does not match the column type ({note}).'),
    "constraint-error": _cell(
        "«{cell}» мааниси чектөөнү бузат ({note}).",
        "значение «{cell}» нарушает ограничение ({note}).",
        'the value "{cell}" breaks a constraint ({note}).'),
    "unique-error": _cell(
        "«{cell}» мааниси кайталанат, бирок бул мамычадагы маанилер кайталанбашы керек.",
        "значение «{cell}» повторяется, а значения этого столбца должны быть уникальными.",
        'the value "{cell}" is repeated, but values in this column must be unique.'),
    "missing-cell": _cell(
        "уяча жок: бул сапта баш саптагыдан азыраак маани бар.",
        "ячейка отсутствует: в строке меньше значений, чем в заголовке.",
        "the cell is missing: the row is shorter than the header."),
    "extra-cell": _cell(
        "«{cell}» ашыкча уяча: бул сапта баш саптагыдан көбүрөөк маани бар.",
        "лишняя ячейка «{cell}»: в строке больше значений, чем в заголовке.",
        'extra cell "{cell}": the row is longer than the header.'),
    # frictionless: rows
    "blank-row": {
        "ky": "{row}-сап бош.", "ru": "Строка {row} пустая.", "en": "Row {row} is empty."},
    "primary-key": {
        "ky": "{row}-сап: негизги ачкыч бош же башка сапта кайталанат ({note}).",
        "ru": "Строка {row}: первичный ключ пуст или повторяет другую строку ({note}).",
        "en": "Row {row}: the primary key is empty or repeats another row ({note})."},
    "foreign-key": {
        "ky": "{row}-сап: маани бар болгон жазууга шилтеме бербейт ({note}).",
        "ru": "Строка {row}: значение не ссылается на существующую запись ({note}).",
        "en": "Row {row}: the value does not refer to an existing record ({note})."},
    "row-constraint": {
        "ky": "{row}-сап: сап шартка туура келбейт ({note}).",
        "ru": "Строка {row}: строка не удовлетворяет условию ({note}).",
        "en": "Row {row}: the row does not satisfy a condition ({note})."},
    # frictionless: header
    "duplicate-label": {
        "ky": "{col}-мамыча: «{cell}» аталышы башка мамычанын аталышын кайталайт.",
        "ru": "Столбец {col}: заголовок «{cell}» повторяет заголовок другого столбца.",
        "en": 'Column {col}: the header "{cell}" repeats another column\'s header.'},
    "blank-label": {
        "ky": "{col}-мамыча: аталышы бош.",
        "ru": "Столбец {col}: заголовок пустой.",
        "en": "Column {col}: the header is empty."},
    "incorrect-label": {
        "ky": "{col}-мамыча: «{cell}» аталышы схемадагы «{name}» талаасына дал келбейт.",
        "ru": "Столбец {col}: заголовок «{cell}» не совпадает с полем схемы «{name}».",
        "en": 'Column {col}: the header "{cell}" does not match the schema field "{name}".'},
    "missing-label": {
        "ky": "{col}-мамыча: схемадагы «{name}» талаасына файлда мамыча жок.",
        "ru": "Столбец {col}: для поля схемы «{name}» в файле нет столбца.",
        "en": 'Column {col}: the schema field "{name}" has no column in the file.'},
    "extra-label": {
        "ky": "{col}-мамыча: «{cell}» мамычасы схемада жок.",
        "ru": "Столбец {col}: столбца «{cell}» нет в схеме.",
        "en": 'Column {col}: the column "{cell}" is not in the schema.'},
    "blank-header": {
        "ky": "Баш сап бош.", "ru": "Строка заголовков пустая.", "en": "The header row is empty."},
    "check-error": {
        "ky": "Текшерүүнү аткаруу мүмкүн болгон жок: {note}.",
        "ru": "Проверку не удалось выполнить: {note}.",
        "en": "A check could not run: {note}."},
    # the portal's own checks
    "kg-region-code": _cell(
        "«{cell}» администрациялык-аймактык бирдиктин белгилүү коду эмес ({note}).",
        "«{cell}» — не код административно-территориальной единицы из справочника ({note}).",
        '"{cell}" is not a known administrative division code ({note}).'),
    "kg-inn": _cell(
        "«{cell}» ИНН эмес: салык төлөөчүнүн идентификациялык номери так 14 цифрадан турат.",
        "«{cell}» — не ИНН: идентификационный номер налогоплательщика состоит ровно из 14 цифр.",
        '"{cell}" is not an INN: a taxpayer identification number is exactly 14 digits.'),
    "kg-phone": _cell(
        "«{cell}» +996 жана 9 цифра түрүндөгү телефон номери эмес.",
        "«{cell}» — не номер телефона в виде +996 и 9 цифр.",
        '"{cell}" is not a phone number written as +996 and 9 digits.'),
    "kg-mixed-script": _cell(
        "сөздө окшош латын жана кирилл тамгалары аралашып калган: {note}. "
        "Сөздү бир алфавит менен кайра териңиз.",
        "в слове смешаны похожие латинские и кириллические буквы: {note}. "
        "Наберите слово в одном алфавите.",
        "a word mixes look-alike Latin and Cyrillic letters: {note}. "
        "Retype the word in one alphabet."),
    # detection findings and unreadable files
    "encoding-ambiguous": {
        "ky": "Файлдын коддолушун так аныктоо мүмкүн эмес ({note}). Коддолушун тандап, кайра текшериңиз.",
        "ru": "Кодировку файла нельзя определить однозначно ({note}). "
              "Укажите кодировку и повторите проверку.",
        "en": "The file's encoding cannot be determined for certain ({note}). "
              "Choose the encoding and check again."},
    "empty-file": {
        "ky": "Файл бош: анда таблица жок.",
        "ru": "Файл пустой: в нём нет таблицы.",
        "en": "The file is empty: it holds no table."},
    "binary-file": {
        "ky": "Бул текст түрүндөгү таблица (CSV) эмес, бинардык файл ({note}).",
        "ru": "Это не текстовая таблица (CSV), а двоичный файл ({note}).",
        "en": "This is not a text table (CSV) but a binary file ({note})."},
    "file-too-large": {
        "ky": "Файл уруксат берилген өлчөмдөн чоң ({note}).",
        "ru": "Файл больше допустимого размера ({note}).",
        "en": "The file is larger than allowed ({note})."},
    "file-not-found": {
        "ky": "Файл табылган жок: {note}.",
        "ru": "Файл не найден: {note}.",
        "en": "File not found: {note}."},
    "nul-character": {
        "ky": "{row}-сап, {col}-мамыча: файлда NUL белгиси (нөл байт) бар, ал эч бир "
              "тексттик таблицада болбойт: файл бузулган же портал окубаган коддолуш менен "
              "сакталган болушу мүмкүн. Бул белгини өчүрүңүз же таблицаны кайра CSV (UTF-8) "
              "катары сактап, кайра жүктөңүз.",
        "ru": "Строка {row}, столбец {col}: в файле есть символ NUL (нулевой байт), которого "
              "не бывает в текстовой таблице: файл, возможно, повреждён или сохранён в "
              "кодировке, которую портал не читает. Удалите этот символ или заново сохраните "
              "таблицу как CSV (UTF-8) и загрузите её ещё раз.",
        "en": "Row {row}, column {col}: the file holds a NUL character (a zero byte), which "
              "no text table contains: the file may be damaged, or saved in an encoding the "
              "portal does not read. Remove the character, or save the table again as CSV "
              "(UTF-8), and upload it again."},
    "decode-error": {
        "ky": "Файлды тандалган коддолуш менен окуу мүмкүн эмес ({note}).",
        "ru": "Файл не читается в выбранной кодировке ({note}).",
        "en": "The file cannot be read in the chosen encoding ({note})."},
    "csv-error": {
        "ky": "Таблицанын түзүлүшүн окуу мүмкүн болгон жок ({note}).",
        "ru": "Не удалось разобрать структуру таблицы ({note}).",
        "en": "The structure of the table cannot be read ({note})."},
    "line-too-long": {
        "ky": "Файлдагы сап өтө узун ({note}).",
        "ru": "Слишком длинная строка в файле ({note}).",
        "en": "A line of the file is too long ({note})."},
    "too-many-columns": {
        "ky": "Сапта мамычалар өтө көп ({note}).",
        "ru": "Слишком много столбцов в строке ({note}).",
        "en": "A row has too many columns ({note})."},
    "bad-spreadsheet": {
        "ky": "Электрондук таблицаны (XLSX/ODS) окуу мүмкүн эмес ({note}).",
        "ru": "Не удалось прочитать электронную таблицу (XLSX/ODS) ({note}).",
        "en": "The spreadsheet (XLSX/ODS) cannot be read ({note})."},
    "zip-bomb": {
        "ky": "Архив ачылганда өтө чоң болуп калат, ошондуктан ал кабыл алынбайт ({note}).",
        "ru": "Архив при распаковке становится слишком большим и поэтому отклонён ({note}).",
        "en": "The archive would expand to an unsafe size and is refused ({note})."},
    "bad-schema": {
        "ky": "Таблицанын схемасы (Table Schema) туура эмес ({note}).",
        "ru": "Схема таблицы (Table Schema) некорректна ({note}).",
        "en": "The Table Schema is not valid ({note})."},
    "bad-encoding": {
        "ky": "Белгисиз коддолуш аталышы: {note}.",
        "ru": "Неизвестное название кодировки: {note}.",
        "en": "Unknown encoding name: {note}."},
}

# Fixed notes that checks attach to their errors, so that no English is left
# inside a Kyrgyz or Russian message.
NOTES: dict[str, dict[str, str]] = {
    "not in the administrative divisions list": {
        "ky": "администрациялык бирдиктердин тизмесинде жок",
        "ru": "нет в справочнике административно-территориальных единиц",
    },
    "contains non-digits": {"ky": "цифра эмес белгилер бар", "ru": "есть символы, кроме цифр"},
    "expected +996 and 9 digits": {
        "ky": "+996 жана 9 цифра күтүлгөн", "ru": "ожидается +996 и 9 цифр",
    },
}

# Normalisation changes and dialect suggestions; ``{count}`` cells or rows,
# ``{detail}`` e.g. the source encoding, the delimiter, row numbers.
CHANGES: dict[str, dict[str, str]] = {
    "encoding": {
        "ky": "{detail} коддолушунан UTF-8ге которулду.",
        "ru": "Кодировка {detail} преобразована в UTF-8.",
        "en": "Converted from {detail} to UTF-8."},
    "bom-removed": {
        "ky": "Файлдын башындагы BOM белгиси алынып салынды.",
        "ru": "Удалена метка порядка байтов (BOM) в начале файла.",
        "en": "Byte order mark at the start of the file removed."},
    "delimiter": {
        "ky": "«{detail}» бөлгүчү үтүр менен алмаштырылды.",
        "ru": "Разделитель «{detail}» заменён запятой.",
        "en": "Delimiter «{detail}» replaced by a comma."},
    "line-endings": {
        "ky": "Сап аяктоолору ({detail}) LF менен алмаштырылды.",
        "ru": "Концы строк ({detail}) заменены на LF.",
        "en": "Line endings ({detail}) replaced by LF."},
    "bom-inside-removed": {
        "ky": "Тексттин ичиндеги BOM (U+FEFF) белгилери алынып салынды (уячалар: {count}).",
        "ru": "Удалены метки BOM (U+FEFF) внутри текста (ячеек: {count}).",
        "en": "Byte order marks (U+FEFF) inside the text removed (cells: {count})."},
    "unicode-nfc": {
        "ky": "Текст Unicode NFC нормалдуу формасына келтирилди (уячалар: {count}).",
        "ru": "Текст приведён к нормальной форме Unicode NFC (ячеек: {count}).",
        "en": "Text put in Unicode normal form NFC (cells: {count})."},
    "kyrgyz-letter": {
        "ky": "ң тамгасынын варианттары (U+04C7–U+04CA) Ң/ң (U+04A2/U+04A3) менен "
              "алмаштырылды (уячалар: {count}).",
        "ru": "Варианты буквы ң (U+04C7–U+04CA) заменены на Ң/ң (U+04A2/U+04A3) (ячеек: {count}).",
        "en": "Variants of the letter ң (U+04C7–U+04CA) replaced by Ң/ң (U+04A2/U+04A3) "
              "(cells: {count})."},
    "mixed-script": {
        "ky": "Окшош латын жана кирилл тамгалары аралашкан сөздөр өзгөртүлгөн жок (уячалар: {count}).",
        "ru": "Слова, где смешаны похожие латинские и кириллические буквы, не изменены (ячеек: {count}).",
        "en": "Words mixing look-alike Latin and Cyrillic letters left unchanged (cells: {count})."},
    "title-rows-skipped": {
        "ky": "Баш саптын үстүндөгү аталыш саптары өткөрүлүп жиберилди: {detail}.",
        "ru": "Пропущены строки с названием над заголовком: {detail}.",
        "en": "Title rows above the header skipped: {detail}."},
    "header-rows-joined": {
        "ky": "{detail} баш саптары бир сапка бириктирилди.",
        "ru": "Строки заголовка {detail} объединены в одну.",
        "en": "Header rows {detail} joined into one."},
    "trailing-blank-rows-removed": {
        "ky": "Таблицадан кийинки бош саптар алынып салынды ({count}).",
        "ru": "Удалены пустые строки после таблицы ({count}).",
        "en": "Blank rows after the table removed ({count})."},
    "decimalChar": {
        "ky": "Сандар ондук үтүр менен жазылган: схемада decimalChar \",\" деп көрсөтүңүз.",
        "ru": "Числа записаны с десятичной запятой: укажите в схеме decimalChar \",\".",
        "en": "Numbers use a decimal comma: declare decimalChar \",\" in the schema."},
    "groupChar": {
        "ky": "Сандардын разряддары боштук менен бөлүнгөн: схемада groupChar көрсөтүңүз.",
        "ru": "Разряды чисел разделены пробелами: укажите в схеме groupChar.",
        "en": "Digits are grouped with spaces: declare groupChar in the schema."},
    "warning": {
        "ky": "Сандарда ондук үтүр да, ондук чекит да кездешет.",
        "ru": "В числах встречаются и десятичная запятая, и десятичная точка.",
        "en": "Both a decimal comma and a decimal point occur in numbers."},
    "irregularGrouping": {
        "ky": "Цифралар үчтөн топтолгон эмес (мисалы, «{detail}»): "
              "мындай сандарды ишенимдүү окуу мүмкүн эмес.",
        "ru": "Цифры сгруппированы не по три (например, «{detail}»): такие числа нельзя прочитать надёжно.",
        "en": "Digits are not grouped in threes (e.g. «{detail}»): such numbers cannot be read safely."},
}

FALLBACK = {"ky": "Ката ({type}): {note}", "ru": "Ошибка ({type}): {note}", "en": "Error ({type}): {note}"}

PHRASES: dict[str, dict[str, str]] = {
    "valid": {"ky": "Таблица текшерүүдөн өттү.", "ru": "Таблица прошла проверку.",
              "en": "The table is valid."},
    "invalid": {"ky": "Табылган каталар: {total}.", "ru": "Найдено ошибок: {total}.",
                "en": "Errors found: {total}."},
    "shown": {"ky": "{total} катанын {shown} көрсөтүлдү.", "ru": "Показано {shown} из {total}.",
              "en": "Showing {shown} of {total}."},
    "unreadable": {"ky": "Файлды текшерүү мүмкүн эмес.", "ru": "Файл невозможно проверить.",
                   "en": "The file cannot be checked."},
    "draft-schema": {
        "ky": "Схема автоматтык түрдө аныкталды жана долбоор гана: жарыялоочу аны ырасташы керек.",
        "ru": "Схема определена автоматически и является черновиком: издатель должен её подтвердить.",
        "en": "The schema was inferred and is only a draft: a publisher must confirm it."},
    "encoding": {"ky": "Коддолушу", "ru": "Кодировка", "en": "Encoding"},
    "delimiter": {"ky": "Бөлгүч", "ru": "Разделитель", "en": "Delimiter"},
    "changes": {"ky": "Өзгөртүүлөр", "ru": "Изменения", "en": "Changes"},
    "suggestions": {"ky": "Сунуштар", "ru": "Рекомендации", "en": "Suggestions"},
}


def message(code: str, lang: str = "en", **values: object) -> str:
    """The message for error ``code`` in ``lang``, with placeholders filled."""
    template = MESSAGES.get(code, FALLBACK)[_language(lang)]
    note = values.get("note")
    if isinstance(note, str) and lang in NOTES.get(note, {}):
        values = {**values, "note": NOTES[note][lang]}
    return template.format_map(_Blank(values, type=code))


def change_message(kind: str, lang: str = "en", **values: object) -> str:
    """A normalisation change or dialect suggestion, described in ``lang``."""
    template = CHANGES.get(kind, {}).get(_language(lang), "{kind}: {detail}")
    return template.format_map(_Blank(values, kind=kind))


def phrase(key: str, lang: str = "en", **values: object) -> str:
    """A fixed report phrase (headings, summaries) in ``lang``."""
    return PHRASES[key][_language(lang)].format_map(_Blank(values))


def _language(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}: {lang!r}")
    return lang


class _Blank(dict):
    """Placeholders without a value become empty instead of raising."""

    def __init__(self, values: dict, **extra: object) -> None:
        super().__init__({k: ("" if v is None else v) for k, v in {**extra, **values}.items()})

    def __missing__(self, key: str) -> str:
        return ""
