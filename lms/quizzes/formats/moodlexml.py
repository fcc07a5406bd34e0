"""Moodle XML: read as Moodle's ``question/format/xml/format.php`` does, safely; written to import.

The file is parsed with defusedxml: a DTD may be present but entity declarations (billion laughs)
and external entities are refused, so nothing is expanded or fetched. Each problem carries the
line of its ``<question>`` element.

Mapping and choices:

* ``<question type="category">`` sets the category of the questions after it;
  ``$course$/top/A/B`` becomes ``A/B`` (any ``$context$/`` and a leading ``top/`` are dropped).
* multichoice ``<single>true</single>`` → MULTICHOICE, ``false`` → MULTIRESPONSE; ``matching``,
  ``truefalse``, ``shortanswer``, ``numerical``, ``ordering`` (answers in the correct order, as
  Moodle 4.4 keeps them), ``essay`` and ``description`` are read; every other type (calculated,
  cloze ``multianswer``, drag and drop…) is reported as not supported yet.
* fractions are percentages in the file and -1…1 here, snapped to Moodle's grade list; a value
  outside it is refused, as Moodle's importer does.
* Lentera grades short answers case-insensitively, so ``<usecase>`` is ignored; numerical units
  are refused (Lentera grades bare numbers); hints, combined feedback, penalty, essay options and
  per-answer text formats are not kept (answers share the question's format).
* files from every text area (``<file encoding="base64">``) go into ``Question.files`` by name;
  the ``@@PLUGINFILE@@/name`` references stay in the text. On writing, each area embeds the files
  its text refers to and the question text embeds the rest.
* tags ``kompetensi:CODE``, ``level:N`` and ``kesulitan:mudah|sedang|sulit`` carry Lentera's fields
  (Moodle keeps tags, so they survive a trip through Moodle); other tags are ignored.
* a description's mark is ignored on reading and written as 0, as Moodle forces it.
"""

from __future__ import annotations

import base64
import binascii
import re
import xml.etree.ElementTree as ET  # only builds trees; files are parsed by defusedxml
from typing import Any
from xml.parsers.expat import errors

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser
from flask_babel import gettext as _

from lms.quizzes.formats import _xmlwriter
from lms.quizzes.formats._common import (
    NUMBER_RE,
    TAG_KEYS,
    Refused,
    apply_tag,
    check,
    clean_category,
    read_number,
    snap_fraction,
)
from lms.quizzes.formats.model import (
    Choice,
    ImportProblem,
    ImportResult,
    Question,
    QuestionType,
    TextFormat,
)

#: a larger upload is refused before parsing (Moodle files with images stay far below this)
MAX_BYTES = 20 * 1024 * 1024

_FORMATS = {
    "html": TextFormat.HTML,
    "markdown": TextFormat.MARKDOWN,
    "plain_text": TextFormat.PLAIN,
    "moodle_auto_format": TextFormat.MOODLE,
    # Moodle converted its old wiki format to markdown long ago
    "wiki_like": TextFormat.MARKDOWN,
}
_ENCODING_RE = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([^"']+)["']""")


def parse(data: bytes) -> ImportResult:
    """Questions and problems read from a Moodle XML file."""
    result = ImportResult()
    try:
        root = _read_tree(data)
    except _FileRefused as refused:
        result.errors.append(ImportProblem(refused.line, refused.message))
        return result
    category = ""
    for element in root:
        if element.tag != "question":
            continue
        kind = (element.get("type") or "").strip()
        try:
            if kind == "category":
                category = clean_category(_category_path(element))
                continue
            question = _read_question(element, kind)
            question.category = category
        except Refused as refused:
            result.errors.append(ImportProblem(element.line, refused.message))
            continue
        result.questions.append(question)
    return result


def dump(questions: list[Question]) -> bytes:
    """Moodle XML of ``questions``, with category changes and embedded files."""
    return _xmlwriter.write(questions)


# The tree


class _Element(ET.Element):
    """An element that remembers the line it starts on."""

    line = 1


class _LineTarget:
    """Builds the tree through a TreeBuilder, noting each element's line from expat."""

    def __init__(self) -> None:
        self.builder = ET.TreeBuilder(element_factory=_Element)
        self.expat: Any = None

    def start(self, tag: str, attrs: dict[str, str]) -> _Element:
        element = self.builder.start(tag, attrs)
        element.line = self.expat.CurrentLineNumber
        return element

    def end(self, tag: str) -> _Element:
        return self.builder.end(tag)

    def data(self, data: str) -> None:
        self.builder.data(data)

    def close(self) -> _Element:
        return self.builder.close()


class _FileRefused(Refused):
    """The whole file cannot be read; ``line`` says where."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


def _read_tree(data: bytes) -> _Element:
    if len(data) > MAX_BYTES:
        raise _FileRefused(
            _("Berkas lebih besar dari %(limit)s MB.", limit=MAX_BYTES // (1024 * 1024)), 1
        )
    declared = _ENCODING_RE.match(data.removeprefix(b"\xef\xbb\xbf"))
    if declared and declared.group(1).decode("ascii", "replace").lower() not in ("utf-8", "utf8"):
        raise _FileRefused(_("Berkas Moodle XML harus berkode UTF-8."), 1)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise _FileRefused(_("Berkas Moodle XML harus berkode UTF-8."), line) from None
    target = _LineTarget()
    parser = DefusedXMLParser(target=target, forbid_dtd=False)
    target.expat = parser.parser
    try:
        parser.feed(data)
        root = parser.close()
    except ET.ParseError as error:
        line, column = error.position
        raise _FileRefused(
            _(
                "Berkas bukan XML yang sah (baris %(line)d, kolom %(column)d: %(detail)s).",
                line=line,
                column=column + 1,
                detail=_xml_error(error.code),
            ),
            line,
        ) from None
    except DefusedXmlException:
        raise _FileRefused(
            _("Berkas XML memuat entitas atau rujukan luar yang tidak diizinkan."),
            parser.parser.CurrentLineNumber,
        ) from None
    if root.tag != "quiz":
        raise _FileRefused(_("Elemen akar harus <quiz>, bukan <%(tag)s>.", tag=root.tag), root.line)
    return root


def _xml_error(code: int) -> str:
    """What an expat error code means, in the user's language (expat's own text is English)."""
    names = {
        errors.codes[errors.XML_ERROR_NO_ELEMENTS]: _("berkas kosong atau terpotong"),
        errors.codes[errors.XML_ERROR_INVALID_TOKEN]: _("ada karakter atau tanda yang tidak sah"),
        errors.codes[errors.XML_ERROR_UNCLOSED_TOKEN]: _("tag tidak ditutup"),
        errors.codes[errors.XML_ERROR_TAG_MISMATCH]: _("tag penutup tidak cocok dengan pembukanya"),
        errors.codes[errors.XML_ERROR_DUPLICATE_ATTRIBUTE]: _("atribut yang sama muncul dua kali"),
        errors.codes[errors.XML_ERROR_JUNK_AFTER_DOC_ELEMENT]: _("ada isi setelah elemen <quiz>"),
        errors.codes[errors.XML_ERROR_UNDEFINED_ENTITY]: _("entitas yang tidak dikenal"),
        errors.codes[errors.XML_ERROR_BAD_CHAR_REF]: _("rujukan karakter yang tidak sah"),
    }
    return names.get(code, _("susunan XML rusak"))


def _category_path(element: ET.Element) -> str:
    category = element.find("category")
    if category is None:
        return ""
    inner = category.find("text")
    # very old files put the path straight into <category>
    return (inner.text if inner is not None else category.text) or ""


# Fields


def _plain(element: ET.Element | None, name: str = "text") -> str:
    """The trimmed text of ``element``'s child ``name`` (Moodle trims every text)."""
    child = element.find(name) if element is not None else None
    return (child.text or "").strip() if child is not None else ""


def _rich(element: ET.Element | None, files: dict[str, bytes]) -> str:
    """A text area: its ``<text>``, with its ``<file>`` children added to ``files``."""
    if element is None:
        return ""
    for file in element.findall("file"):
        _read_file(file, files)
    return _plain(element)


def _read_file(file: ET.Element, files: dict[str, bytes]) -> None:
    name = (file.get("name") or "").strip()
    folder = (file.get("path") or "/").strip("/")
    key = f"{folder}/{name}" if folder else name
    if not name:
        raise Refused(_("Berkas lampiran tanpa nama."))
    if (file.get("encoding") or "base64").strip() != "base64":
        raise Refused(_("Berkas lampiran “%(name)s” tidak berkode base64.", name=key))
    try:
        content = base64.b64decode("".join((file.text or "").split()), validate=True)
    except (binascii.Error, ValueError):
        raise Refused(
            _("Berkas lampiran “%(name)s” tidak dapat dibaca (base64 rusak).", name=key)
        ) from None
    if files.get(key, content) != content:
        raise Refused(_("Berkas lampiran “%(name)s” muncul dua kali dengan isi berbeda.", name=key))
    files[key] = content


def _number(element: ET.Element, name: str, default: float) -> float:
    child = element.find(name)
    if child is None or not (child.text or "").strip():
        return default
    return read_number(child.text or "")


def _flag(element: ET.Element, name: str, default: bool) -> bool:
    """A Moodle yes/no field: ``false``, ``0`` and empty are no (trans_single)."""
    child = element.find(name)
    if child is None:
        return default
    return (child.text or "").strip() not in ("", "0", "false")


def _fraction(answer: ET.Element) -> float:
    percent = (answer.get("fraction") or "0").strip()
    if not NUMBER_RE.match(percent):
        raise Refused(_("Bobot “%(weight)s” bukan angka.", weight=percent))
    return snap_fraction(float(percent) / 100)


def _text_format(element: ET.Element | None) -> TextFormat:
    # Moodle assumes html where the attribute is missing or unknown
    name = (element.get("format") or "html").strip() if element is not None else "html"
    return _FORMATS.get(name, TextFormat.HTML)


# Questions


def _read_question(element: ET.Element, kind: str) -> Question:
    reader = _READERS.get(kind)
    if reader is None:
        raise Refused(_("Tipe soal “%(type)s” belum didukung.", type=kind or "?"))
    files: dict[str, bytes] = {}
    body = element.find("questiontext")
    question = Question(
        type=QuestionType.DESCRIPTION,
        text=_rich(body, files),
        title=_plain(element.find("name")),
        text_format=_text_format(body),
        general_feedback=_rich(element.find("generalfeedback"), files),
        files=files,
        line=element.line,
    )
    _read_old_image(element, question)
    if kind != "description":
        question.default_mark = _number(element, "defaultgrade", 1.0)
    for tag in element.findall("tags/tag"):
        key, colon, value = _plain(tag).partition(":")
        if colon and key.strip().lower() in TAG_KEYS:
            apply_tag(question, key, value)
    reader(element, question)
    check(question)
    return question


def _read_old_image(element: ET.Element, question: Question) -> None:
    """Files from before Moodle 2.0 kept one image beside the text; Moodle appends it."""
    name, data = _plain(element, "image"), _plain(element, "image_base64")
    if not (name and data):
        return
    name = name.replace("/", "_")
    image = ET.Element("file", name=name, encoding="base64")
    image.text = data
    _read_file(image, question.files)
    question.text += f' <img src="@@PLUGINFILE@@/{name}" />'


def _answers(element: ET.Element, question: Question, *, plain: bool = False) -> list[Choice]:
    choices = []
    for answer in element.findall("answer"):
        text = _plain(answer) if plain else _rich(answer, question.files)
        feedback = _rich(answer.find("feedback"), question.files)
        choices.append(Choice(text=text, fraction=_fraction(answer), feedback=feedback))
    return choices


def _read_multichoice(element: ET.Element, question: Question) -> None:
    single = _flag(element, "single", True)
    question.type = QuestionType.MULTICHOICE if single else QuestionType.MULTIRESPONSE
    question.shuffle = _flag(element, "shuffleanswers", False)
    question.choices = _answers(element, question)


def _read_truefalse(element: ET.Element, question: Question) -> None:
    question.type = QuestionType.TRUEFALSE
    rights: dict[bool, bool] = {}
    for position, answer in enumerate(element.findall("answer")):
        value = _plain(answer)
        # very old files wrote a translated word: Moodle then takes true first, false second
        is_true = value == "true" if value in ("true", "false") else position == 0
        feedback = _rich(answer.find("feedback"), question.files)
        if is_true:
            question.feedback_true = feedback
        else:
            question.feedback_false = feedback
        rights[is_true] = _fraction(answer) == 1.0
    if rights.get(True) == rights.get(False):
        raise Refused(_("Soal benar/salah harus memiliki tepat satu jawaban bernilai 100."))
    question.correct = rights.get(True, not rights.get(False))


def _read_shortanswer(element: ET.Element, question: Question) -> None:
    question.type = QuestionType.SHORTANSWER
    question.choices = _answers(element, question, plain=True)


def _read_numerical(element: ET.Element, question: Question) -> None:
    question.type = QuestionType.NUMERICAL
    if element.find("units/unit") is not None:
        raise Refused(_("Satuan pada soal numerik belum didukung."))
    choices = _answers(element, question, plain=True)
    for choice, answer in zip(choices, element.findall("answer"), strict=True):
        if choice.text != "*":
            choice.value, choice.text = read_number(choice.text), ""
            choice.tolerance = _number(answer, "tolerance", 0.0)
    question.choices = choices


def _read_matching(element: ET.Element, question: Question) -> None:
    question.type = QuestionType.MATCHING
    question.shuffle = _flag(element, "shuffleanswers", True)
    for sub in element.findall("subquestion"):
        left = _rich(sub, question.files)
        right = _plain(sub.find("answer"))
        if left or right:  # Moodle skips empty rows
            choice = Choice(text=left, match=right, fraction=1.0 if left else 0.0)
            question.choices.append(choice)


def _read_ordering(element: ET.Element, question: Question) -> None:
    question.type = QuestionType.ORDERING
    # the file lists the items in the correct order; Moodle ignores their fractions
    question.choices = [
        Choice(
            text=_rich(answer, question.files),
            fraction=1.0,
            feedback=_rich(answer.find("feedback"), question.files),
        )
        for answer in element.findall("answer")
    ]


def _read_essay(element: ET.Element, question: Question) -> None:
    question.type = QuestionType.ESSAY


def _read_description(element: ET.Element, question: Question) -> None:
    question.type = QuestionType.DESCRIPTION


_READERS = {
    "multichoice": _read_multichoice,
    "truefalse": _read_truefalse,
    "shortanswer": _read_shortanswer,
    "numerical": _read_numerical,
    "matching": _read_matching,
    "match": _read_matching,
    "ordering": _read_ordering,
    "essay": _read_essay,
    "description": _read_description,
}
