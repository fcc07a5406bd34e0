"""Writing Moodle XML: element names and defaults as Moodle's own export writes them."""

from __future__ import annotations

import base64
import re
import xml.etree.ElementTree as ET  # only builds trees; files are parsed by defusedxml
from urllib.parse import quote

from flask_babel import gettext as _

from lms.quizzes.formats._common import format_number, format_value, tag_pairs
from lms.quizzes.formats.model import Choice, Question, QuestionType, TextFormat

_FORMAT_NAMES = {
    TextFormat.HTML: "html",
    TextFormat.MARKDOWN: "markdown",
    TextFormat.PLAIN: "plain_text",
    TextFormat.MOODLE: "moodle_auto_format",
}
_QTYPES = {
    QuestionType.MULTICHOICE: "multichoice",
    QuestionType.MULTIRESPONSE: "multichoice",
    QuestionType.TRUEFALSE: "truefalse",
    QuestionType.SHORTANSWER: "shortanswer",
    QuestionType.NUMERICAL: "numerical",
    QuestionType.MATCHING: "matching",
    QuestionType.ORDERING: "ordering",
    QuestionType.ESSAY: "essay",
    QuestionType.DESCRIPTION: "description",
}
#: characters XML 1.0 cannot hold at all; they are dropped rather than making the file unreadable
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_TAG = re.compile(r"<[^>]*>")


def write(questions: list[Question]) -> bytes:
    """The ``<quiz>`` document, a category question before each change of category."""
    quiz = ET.Element("quiz")
    category = ""
    for question in questions:
        if question.category != category:
            category = question.category
            quiz.append(_category(category))
        quiz.append(_question(question))
    ET.indent(quiz)
    # <text></text> rather than <text />, as Moodle's own export writes empty texts
    body = ET.tostring(quiz, encoding="unicode", short_empty_elements=False)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n").encode("utf-8")


def _sub(parent: ET.Element, tag: str, text: str = "", **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text:
        element.text = _NOT_XML.sub("", text)
    return element


def _category(path: str) -> ET.Element:
    element = ET.Element("question", type="category")
    _sub(_sub(element, "category"), "text", "/".join(filter(None, ("$course$/top", path))))
    _sub(_sub(element, "info", format="moodle_auto_format"), "text")
    return element


class _Files:
    """Places each file in the text area that refers to it, the others with the question text."""

    def __init__(self, question: Question) -> None:
        self.files = question.files
        texts = [question.text, question.general_feedback, question.feedback_true]
        texts += [question.feedback_false]
        texts += [part for c in question.choices for part in (c.text, c.feedback, c.match)]
        self.unused = {name for name in self.files if not any(_refers(t, name) for t in texts)}

    def embed(self, area: ET.Element, text: str, *, with_unused: bool = False) -> None:
        # Moodle resolves @@PLUGINFILE@@ against the files of the same area only
        for name, content in self.files.items():
            if _refers(text, name) or (with_unused and name in self.unused):
                folder, _slash, filename = name.rpartition("/")
                path = f"/{folder}/" if folder else "/"
                file = _sub(area, "file", name=filename, path=path, encoding="base64")
                file.text = base64.b64encode(content).decode("ascii")


def _refers(text: str, name: str) -> bool:
    return f"@@PLUGINFILE@@/{name}" in text or f"@@PLUGINFILE@@/{quote(name)}" in text


def _area(
    parent: ET.Element, tag: str, text: str, fmt: str, files: _Files, **attrs: str
) -> ET.Element:
    """A text area: ``<tag format><text>…</text><file …/></tag>``."""
    element = _sub(parent, tag, format=fmt, **attrs)
    _sub(element, "text", text)
    files.embed(element, text, with_unused=tag == "questiontext")
    return element


def _default_name(question: Question) -> str:
    """Moodle wants a name; like its GIFT importer, take the start of the text."""
    words = " ".join(_TAG.sub(" ", question.text).split())
    return words[:80] or _("Soal tanpa judul")


def _question(question: Question) -> ET.Element:
    fmt = _FORMAT_NAMES[question.text_format]
    files = _Files(question)
    element = ET.Element("question", type=_QTYPES[question.type])
    _sub(_sub(element, "name"), "text", question.title or _default_name(question))
    _area(element, "questiontext", question.text, fmt, files)
    _area(element, "generalfeedback", question.general_feedback, fmt, files)
    is_description = question.type is QuestionType.DESCRIPTION
    _sub(element, "defaultgrade", "0" if is_description else format_number(question.default_mark))
    _sub(element, "hidden", "0")
    _WRITERS[question.type](element, question, fmt, files)
    if tags := tag_pairs(question):
        holder = _sub(element, "tags")
        for key, value in tags:
            _sub(_sub(holder, "tag"), "text", f"{key}:{value}")
    return element


def _answer(
    parent: ET.Element, choice: Choice, fraction: str, fmt: str, files: _Files, text: str = ""
) -> ET.Element:
    answer = _area(parent, "answer", text or choice.text, fmt, files, fraction=fraction)
    _area(answer, "feedback", choice.feedback, fmt, files)
    return answer


def _percent(fraction: float) -> str:
    return format_number(fraction * 100, 5)


def _yes_no(value: bool) -> str:
    return "true" if value else "false"


def _write_multichoice(element: ET.Element, question: Question, fmt: str, files: _Files) -> None:
    _sub(element, "single", _yes_no(question.type is QuestionType.MULTICHOICE))
    _sub(element, "shuffleanswers", _yes_no(question.shuffle))
    _sub(element, "answernumbering", "abc")
    for choice in question.choices:
        _answer(element, choice, _percent(choice.fraction), fmt, files)


def _write_truefalse(element: ET.Element, question: Question, fmt: str, files: _Files) -> None:
    for value, feedback in ((True, question.feedback_true), (False, question.feedback_false)):
        choice = Choice(text=_yes_no(value), feedback=feedback)
        right = "100" if question.correct is value else "0"
        _answer(element, choice, right, "moodle_auto_format", files)


def _write_shortanswer(element: ET.Element, question: Question, fmt: str, files: _Files) -> None:
    _sub(element, "usecase", "0")
    for choice in question.choices:
        _answer(element, choice, _percent(choice.fraction), "moodle_auto_format", files)


def _write_numerical(element: ET.Element, question: Question, fmt: str, files: _Files) -> None:
    for choice in question.choices:
        value = "*" if choice.value is None else format_value(choice.value)
        answer = _answer(element, choice, _percent(choice.fraction), fmt, files, text=value)
        _sub(answer, "tolerance", format_value(choice.tolerance))


def _write_matching(element: ET.Element, question: Question, fmt: str, files: _Files) -> None:
    _sub(element, "shuffleanswers", _yes_no(question.shuffle))
    for choice in question.choices:
        sub = _area(element, "subquestion", choice.text, fmt, files)
        _sub(_sub(sub, "answer"), "text", choice.match)


def _write_ordering(element: ET.Element, question: Question, fmt: str, files: _Files) -> None:
    for tag, value in (
        ("layouttype", "VERTICAL"),
        ("selecttype", "ALL"),
        ("selectcount", "0"),
        ("gradingtype", "ABSOLUTE_POSITION"),
        ("showgrading", "SHOW"),
    ):
        _sub(element, tag, value)
    # Moodle's export numbers the items in their correct order
    for position, choice in enumerate(question.choices, start=1):
        _answer(element, choice, str(position), fmt, files)


def _write_essay(element: ET.Element, question: Question, fmt: str, files: _Files) -> None:
    for tag, value in (
        ("responseformat", "editor"),
        ("responserequired", "1"),
        ("responsefieldlines", "15"),
        ("attachments", "0"),
        ("attachmentsrequired", "0"),
    ):
        _sub(element, tag, value)
    _sub(_sub(element, "graderinfo", format="html"), "text")
    _sub(_sub(element, "responsetemplate", format="html"), "text")


def _write_nothing(element: ET.Element, question: Question, fmt: str, files: _Files) -> None:
    """A description has no answers."""


_WRITERS = {
    QuestionType.MULTICHOICE: _write_multichoice,
    QuestionType.MULTIRESPONSE: _write_multichoice,
    QuestionType.TRUEFALSE: _write_truefalse,
    QuestionType.SHORTANSWER: _write_shortanswer,
    QuestionType.NUMERICAL: _write_numerical,
    QuestionType.MATCHING: _write_matching,
    QuestionType.ORDERING: _write_ordering,
    QuestionType.ESSAY: _write_essay,
    QuestionType.DESCRIPTION: _write_nothing,
}
