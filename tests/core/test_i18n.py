"""Every user-visible string is translatable, and the English catalogue translates all of them.

The interface is written in Indonesian (each Indonesian string is its own msgid) and English
comes from ``lms/translations/en/LC_MESSAGES/messages.po``. These tests fail when a string is
extracted but not translated, when a template carries literal text outside ``_()``, or when
Python code shows the user a literal instead of a translated message. See docs/TRANSLATIONS.md.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from lms.config import PROJECT_ROOT

ROOT = Path(PROJECT_ROOT)
CATALOG = ROOT / "lms" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
TEMPLATES = ROOT / "templates"
HOW_TO_FIX = (
    "Run `make translations-update`, fill in the empty msgstr in "
    "lms/translations/en/LC_MESSAGES/messages.po, then `make translations` "
    "(see docs/TRANSLATIONS.md)."
)

#: the keywords ``make translations-update`` extracts: Babel's defaults (``_``, ``gettext``,
#: ``ngettext``, ``pgettext``...) plus Flask-Babel's lazy ones
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}


def _read_catalog():
    with CATALOG.open("rb") as handle:
        return read_po(handle, locale="en")


def _extract() -> dict[tuple[str | tuple[str, ...], str | None], set[str]]:
    """Every (msgid, msgctxt) in the code, extracted as babel.cfg says, with its files."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    tops = {pattern.split("/", 1)[0] for pattern, _method in method_map}

    def wanted(dirpath: str) -> bool:
        # like --ignore-dirs in the Makefile: Babel's default would also skip templates/_macros
        relative = Path(dirpath).relative_to(ROOT).parts
        if not relative:
            return True
        return relative[0] in tops and not relative[-1].startswith((".", "__pycache__"))

    found: dict[tuple[str | tuple[str, ...], str | None], set[str]] = {}
    for filename, _lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS, directory_filter=wanted
    ):
        found.setdefault((message, context), set()).add(filename)
    return found


# --- a. the catalogue ----------------------------------------------------------------------------


def test_every_extracted_message_is_translated_to_english():
    catalog = _read_catalog()
    extracted = _extract()
    assert extracted, "nothing was extracted: is babel.cfg still matching lms/ and templates/?"
    missing = []
    for (message_id, context), files in sorted(extracted.items(), key=str):
        key = message_id[0] if isinstance(message_id, tuple) else message_id  # ngettext: singular
        entry = catalog.get(key, context)
        strings = entry.string if entry is not None else ""
        strings = strings if isinstance(strings, tuple) else (strings,)  # plural forms
        if entry is None or entry.fuzzy or not all(s.strip() for s in strings):
            state = "absent" if entry is None else "fuzzy" if entry.fuzzy else "empty"
            label = f"{key!r} (msgctxt {context!r})" if context else repr(key)
            missing.append(f"  {label} ({state}; {', '.join(sorted(files))})")
    assert not missing, (
        f"{len(missing)} message(s) have no English translation:\n"
        + "\n".join(missing)
        + f"\n{HOW_TO_FIX}"
    )


PLACEHOLDER = re.compile(r"%\((\w+)\)[#0 +-]*\d*(?:\.\d+)?[sdifr]")


def test_translations_keep_the_placeholders():
    catalog = _read_catalog()
    problems = [
        f"  {message.id!r}: {'; '.join(str(error) for error in errors)}"
        for message, errors in catalog.check()
    ]
    for message in catalog:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = sorted(set(PLACEHOLDER.findall(ids[-1])))
        for string in strings:
            if string and sorted(set(PLACEHOLDER.findall(string))) != expected:
                problems.append(f"  {message.id!r}: {string!r} should use {expected}")
    assert not problems, "translations that break their %(name)s placeholders:\n" + "\n".join(
        problems
    )


def test_catalogue_has_no_fuzzy_or_obsolete_entries():
    catalog = _read_catalog()
    fuzzy = [message.id for message in catalog if message.id and message.fuzzy]
    assert not fuzzy, f"fuzzy entries (check them, then drop the fuzzy flag): {fuzzy}"
    assert not catalog.obsolete, (
        f"obsolete entries left in the catalogue: {list(catalog.obsolete)}. {HOW_TO_FIX}"
    )


# --- b. templates --------------------------------------------------------------------------------

#: text in templates that is not language and so needs no translation
ALLOWED_TEXT = ("Bahasa Indonesia", "English", "Lentera", "PPPK", "PNS", "NIP", "IP")
#: attributes whose value people read (or hear, with a screen reader)
TEXT_ATTRIBUTES = {"placeholder", "title", "aria-label", "alt", "data-confirm", "label"}
#: stands in for every Jinja tag, expression and comment; it is not a letter
MARK = "\ue000"
WORD = re.compile(r"[^\W\d_]{2,}")


def _template_skeleton(app, path: Path) -> str:
    """The template's literal text with each Jinja construct replaced by :data:`MARK`.

    The Jinja lexer says what is literal (``data`` tokens). Newlines are kept so that the line
    numbers of the skeleton are those of the template.
    """
    source = path.read_text(encoding="utf-8")
    parts: list[str] = []
    line = 1
    in_mark = False
    for lineno, token, value in app.jinja_env.lex(source, path.name, str(path)):
        if lineno > line:  # a Jinja construct spanned lines: catch up inside the mark
            parts.append("\n" * (lineno - line))
            line = lineno
        if token == "data":
            parts.append(value)
            line += value.count("\n")
            in_mark = False
        elif not in_mark:
            parts.append(MARK)
            in_mark = True
    return "".join(parts)


def _words(text: str) -> list[str]:
    text = text.replace(MARK, " ")
    for allowed in ALLOWED_TEXT:
        text = re.sub(rf"(?<!\w){re.escape(allowed)}(?!\w)", " ", text)
    return WORD.findall(text)


class _LiteralText(HTMLParser):
    """Collects literal words in text and in readable attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in TEXT_ATTRIBUTES and value and _words(value):
                self.found.append((self.getpos()[0], f'{name}="{value.strip()}"'))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and _words(data):
            plain = data.replace(MARK, " ")
            line = self.getpos()[0] + plain[: len(plain) - len(plain.lstrip())].count("\n")
            text = " ".join(data.replace(MARK, " … ").split()).strip("… ")
            self.found.append((line, text))


def _templates() -> list[Path]:
    return sorted(TEMPLATES.rglob("*.html"))


def test_the_template_check_sees_literal_text():
    """The checker itself: literal words are caught; translated and allowed ones are not."""
    parser = _LiteralText()
    parser.feed(
        f'<p>{MARK} · Lentera &amp; NIP</p>\n<p title="{MARK}">\n  Simpan</p>\n'
        '<input placeholder="Cari pegawai"><img alt=""><script>var a = "teks";</script>'
    )
    parser.close()
    assert parser.found == [(3, "Simpan"), (4, 'placeholder="Cari pegawai"')]


def test_the_template_skeleton_keeps_only_literal_text(app, tmp_path):
    template = tmp_path / "sample.html"
    template.write_text(
        "{# komentar #}<h1>{{ _('Judul') }}</h1>\n"
        '<a title="{{ _(\'Buka\') }}" href="{{ url }}">{% if a %}\n  Ubah{% endif %}</a>\n'
        '<button aria-label="Tutup">{{ name }} · Lentera</button>\n',
        encoding="utf-8",
    )
    parser = _LiteralText()
    parser.feed(_template_skeleton(app, template))
    parser.close()
    assert parser.found == [(3, "Ubah"), (4, 'aria-label="Tutup"')]


@pytest.mark.parametrize("path", _templates(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_templates_have_no_untranslated_text(app, path):
    parser = _LiteralText()
    parser.feed(_template_skeleton(app, path))
    parser.close()
    where = path.relative_to(ROOT)
    assert not parser.found, (
        "literal text outside {{ _('...') }} (wrap it so it can be translated):\n"
        + "\n".join(f"  {where}:{line}: {text}" for line, text in parser.found)
    )


# --- c. Python ----------------------------------------------------------------------------------

#: callables that show their message to the user -> position of the message argument
MESSAGE_ARGUMENT = {
    "flash": 0,
    "DomainError": 0,
    "NipError": 0,
    "ApiError": 2,
    "RowError": 2,
    "json_error": 2,
}
#: _, gettext, ngettext, _l, lazy_gettext... (their msgid must be a literal to be extracted)
GETTEXT_NAMES = set(KEYWORDS)


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _literal_text(node: ast.expr | None) -> bool:
    """A string written out in the code (with letters in it), rather than a translated one."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and bool(re.search(r"[^\W\d_]", node.value))
    if isinstance(node, ast.JoinedStr):
        return any(_literal_text(part) for part in node.values if isinstance(part, ast.Constant))
    if isinstance(node, ast.BinOp):  # "..." % x, "..." + x
        return _literal_text(node.left) or _literal_text(node.right)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):  # "...".format()
        return _literal_text(node.func.value)
    return False


def _python_files() -> list[Path]:
    return sorted((ROOT / "lms").rglob("*.py"))


def _python_problems(tree: ast.AST) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _name(node.func)
        if name in MESSAGE_ARGUMENT:
            position = MESSAGE_ARGUMENT[name]
            argument = node.args[position] if len(node.args) > position else None
            for keyword in node.keywords:
                if keyword.arg == "message":
                    argument = keyword.value
            if _literal_text(argument):
                yield node.lineno, f"{name}() is given a literal message instead of _('...')"
        elif isinstance(node.func, ast.Name) and name in GETTEXT_NAMES and node.args:
            first = node.args[0]
            if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                yield node.lineno, f"{name}() needs a plain string literal to be extracted"


def test_the_python_check_sees_literal_messages():
    source = (
        'flash("Disimpan.", "success")\n'
        'flash(f"Unit {name} disimpan.")\n'
        'raise DomainError("Salah.", field="x")\n'
        'raise ApiError(404, "not_found", message="Tidak ada.")\n'
        '_(f"Halo {name}")\n'
        'flash(_("Disimpan."), "success")\n'
        "flash(error.message)\n"
        'raise ApiError(401, "invalid_credentials", result.error or "")\n'
        'raise NipError(_("NIP wajib diisi."))\n'
    )
    lines = sorted(line for line, _message in _python_problems(ast.parse(source)))
    assert lines == [1, 2, 3, 4, 5]


def test_python_shows_users_only_translated_messages():
    problems = []
    for path in _python_files():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        problems += [
            f"  {path.relative_to(ROOT)}:{line}: {message}"
            for line, message in _python_problems(tree)
        ]
    assert not problems, "untranslated user-facing messages:\n" + "\n".join(problems)


def _audit_actions(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """The literal actions handed to ``audit.record(...)`` or ``_finish_issue(action=...)``."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
        candidates = []
        if name == "record" and node.args:
            candidates.append(node.args[0])
            if isinstance(node.args[0], ast.BoolOp | ast.IfExp):
                candidates += [
                    part
                    for part in ast.walk(node.args[0])
                    if isinstance(part, ast.Constant) and isinstance(part.value, str)
                ]
        candidates += [keyword.value for keyword in node.keywords if keyword.arg == "action"]
        for value in candidates:
            if (
                isinstance(value, ast.Constant)
                and isinstance(value.value, str)
                and re.fullmatch(r"[a-z_]+\.[a-z_]+", value.value)
            ):
                yield node.lineno, value.value


def test_every_audit_action_has_a_readable_label():
    """The audit log shows HR a translated name for each action, never ``course.published``."""
    from lms.accounts.audit import ACTION_LABELS

    missing = []
    for path in _python_files():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        missing += [
            f"  {path.relative_to(ROOT)}:{line}: {action}"
            for line, action in _audit_actions(tree)
            if action not in ACTION_LABELS
        ]
    assert not missing, "audit actions without a label in ACTION_LABELS:\n" + "\n".join(missing)
