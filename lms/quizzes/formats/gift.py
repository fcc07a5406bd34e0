"""GIFT, Moodle's plain-text question format: read as Moodle's importer does, written so it imports.

Reading follows ``question/format/gift/format.php``: questions are separated by blank lines,
``//`` lines are comments, the first ``{`` and ``}`` hold the answers and the answer block decides
the type. Lentera differs on purpose in three ways:

* text without a ``[format]`` prefix is **markdown** (Moodle assumes its own auto-format); the
  writer therefore omits ``[markdown]`` and Moodle shows such text as auto-format, which renders
  plain prose the same way;
* what Moodle would silently turn into a different question is refused with a message: text
  before the first ``=``/``~``, ``=%50%`` in a multiple choice, a second answer block, an unknown
  ``[format]``, a weight Moodle's grade list lacks, multiple-response weights not making 100;
* a comment right before a question, ``// kompetensi: M-PP; level: 3; kesulitan: sedang``, sets
  Lentera's competency fields (Moodle ignores it as a comment).

``line`` is the first line of the question text (after its comments); a problem in the tag
comment is reported at the comment's line. True/false follows Moodle: ``{T#a#b}`` shows ``a`` to
whoever answers wrongly and ``b`` to whoever answers rightly; only ``T``, ``TRUE``, ``F`` and
``FALSE`` in capitals make a true/false question (``{true}`` is a short answer, as in Moodle).
A numerical ``~#feedback`` ("any other answer") becomes ``Choice(text="*", value=None)``.

Writing cannot express ordering questions or a description's general feedback (reported as
problems); marks, shuffling, files and choice keys are settings GIFT has no place for, so they
are left out without a problem.
"""

from __future__ import annotations

import re

from flask_babel import gettext as _

from lms.quizzes.formats._common import (
    NUMBER_RE,
    Refused,
    apply_tag,
    check,
    clean_category,
    format_number,
    format_value,
    read_number,
    snap_fraction,
    tag_pairs,
)
from lms.quizzes.formats.model import (
    Choice,
    ImportProblem,
    ImportResult,
    Question,
    QuestionType,
    TextFormat,
)

#: GIFT's ``[name]`` prefixes
_FORMATS = {
    "html": TextFormat.HTML,
    "markdown": TextFormat.MARKDOWN,
    "plain": TextFormat.PLAIN,
    "moodle": TextFormat.MOODLE,
}
_FORMAT_NAMES = {fmt: name for name, fmt in _FORMATS.items()}
_DEFAULT_FORMAT = TextFormat.MARKDOWN
_FORMAT_RE = re.compile(r"\[([A-Za-z_]+)\]")

# Escaped characters become private-use characters while the structure is read, so ``\{`` is
# never taken for a brace; they are turned back into the plain character afterwards.
_ESCAPABLE = "\\~=#{}:"
_ESCAPE_RE = re.compile(r"\\([\\~=#{}:n])")
_HIDDEN = {char: chr(0xE000 + i) for i, char in enumerate(_ESCAPABLE)} | {"n": chr(0xE010)}
_SHOWN = str.maketrans({hidden: char for char, hidden in _HIDDEN.items()} | {chr(0xE010): "\n"})

_WEIGHT_RE = re.compile(r"%([^%]*)%")
_TAG_LINE_RE = re.compile(r"(?:kompetensi|level|kesulitan)\s*:", re.IGNORECASE)
_TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}
_BLANK = "_____"


def parse(text: str) -> ImportResult:
    """Questions and problems read from GIFT text."""
    result = ImportResult()
    lines = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    category = ""
    block: list[tuple[int, str]] = []
    for number, line in enumerate([*lines, ""], start=1):
        if line.strip():
            block.append((number, line.rstrip()))
        elif block:
            category = _read_block(block, category, result)
            block = []
    return result


def dump(questions: list[Question]) -> tuple[str, list[ImportProblem]]:
    """GIFT text of ``questions``, and a problem (at the 1-based index) for each one left out."""
    blocks: list[str] = []
    problems: list[ImportProblem] = []
    category = ""
    for index, question in enumerate(questions, start=1):
        try:
            check(question)
            written = _write_question(question)
        except Refused as refused:
            problems.append(ImportProblem(index, refused.message))
            continue
        if question.category != category:
            category = question.category
            blocks.append(f"$CATEGORY: {category}")
        blocks.append(written)
    return ("\n\n".join(blocks) + "\n" if blocks else ""), problems


# Reading


def _is_comment(line: str) -> bool:
    return line.lstrip().startswith("//")


def _read_block(block: list[tuple[int, str]], category: str, result: ImportResult) -> str:
    """Read one blank-line separated block into ``result``; return the category that follows."""
    while True:
        start = next((i for i, (_n, line) in enumerate(block) if not _is_comment(line)), len(block))
        tags = [
            (number, body)
            for number, line in block[:start]
            if _TAG_LINE_RE.match(body := line.strip()[2:].strip())
        ]
        if start < len(block) and not block[start][1].lstrip().startswith("$CATEGORY:"):
            break
        if tags:
            result.errors.append(ImportProblem(tags[0][0], _("Baris tag tidak diikuti soal.")))
        if start == len(block):
            return category
        category = clean_category(_shown(_hide(block[start][1].split(":", 1)[1])))
        # Moodle wants a blank line after $CATEGORY; a question right below it is still read
        block = block[start + 1 :]
    line = block[start][0]
    body = "\n".join(text for _n, text in block[start:] if not _is_comment(text))
    try:
        question = _read_question(body)
        question.line, question.category = line, category
        for number, tag_line in tags:
            line = number  # a problem in a tag is reported at the tag's line
            for pair in filter(str.strip, tag_line.split(";")):
                key, _colon, value = pair.partition(":")
                apply_tag(question, key, value)
    except Refused as refused:
        result.errors.append(ImportProblem(line, refused.message))
        return category
    result.questions.append(question)
    return category


def _hide(text: str) -> str:
    return _ESCAPE_RE.sub(lambda match: _HIDDEN[match.group(1)], text)


def _shown(text: str) -> str:
    return text.translate(_SHOWN)


def _clean(text: str) -> str:
    """An answer or feedback: a known ``[format]`` prefix dropped, escapes undone, trimmed."""
    text = text.strip()
    match = _FORMAT_RE.match(text)
    if match and match.group(1) in _FORMATS:
        text = text[match.end() :]
    return _shown(text).strip()


def _read_question(body: str) -> Question:
    text = _hide(body.strip())
    title = ""
    if text.startswith("::"):
        end = text.find("::", 2)
        if end < 0:
            raise Refused(_("Judul soal tidak ditutup dengan ::."))
        title, text = _shown(text[2:end]).strip(), text[end + 2 :].strip()
    opening, closing = text.count("{"), text.count("}")
    answer: str | None = None
    if opening or closing:
        start, end = text.find("{"), text.find("}")
        if opening != closing or end < start:
            raise Refused(_("Kurung kurawal { } tidak seimbang."))
        if opening > 1:
            raise Refused(_("Satu soal hanya boleh memiliki satu blok jawaban { }."))
        answer, after = text[start + 1 : end], text[end + 1 :]
        # text after the block makes a missing-word question: the block becomes the blank
        text = text[:start] + (_BLANK + after if after.strip() else "")
    general_feedback = ""
    if answer is not None and (cut := answer.rfind("####")) >= 0:
        general_feedback, answer = answer[cut + 4 :], answer[:cut]
    text_format, text = _read_format(text.strip())
    question = Question(
        type=QuestionType.DESCRIPTION,
        text=_shown(text).strip(),
        title=title,
        text_format=text_format,
        general_feedback=_clean(general_feedback),
    )
    if not question.text:
        raise Refused(_("Teks soal kosong."))
    if answer is not None:
        _read_answers(question, answer.strip())
    check(question)
    return question


def _read_format(text: str) -> tuple[TextFormat, str]:
    match = _FORMAT_RE.match(text)
    if not match:
        return _DEFAULT_FORMAT, text
    if match.group(1) not in _FORMATS:
        raise Refused(
            _(
                "Format teks [%(name)s] tidak dikenal; gunakan [html], [markdown], [plain], "
                "atau [moodle].",
                name=match.group(1),
            )
        )
    return _FORMATS[match.group(1)], text[match.end() :]


def _read_answers(question: Question, answer: str) -> None:
    """Decide the type from the answer block, in Moodle's order, and read the answers."""
    if not answer:
        question.type = QuestionType.ESSAY
    elif answer.startswith("#"):
        question.type = QuestionType.NUMERICAL
        question.choices = _read_numerical(answer[1:])
    elif "~" in answer:
        # like Moodle: one "=" makes a single-answer question, none a multiple-response one
        single = any(marker == "=" for marker, _body in _split(answer, "=~"))
        question.type = QuestionType.MULTICHOICE if single else QuestionType.MULTIRESPONSE
        question.choices = _read_multichoice(answer)
    elif "=" in answer and "->" in answer:
        question.type = QuestionType.MATCHING
        question.choices = _read_matching(answer)
    elif answer.partition("#")[0].strip() in _TRUE_FALSE:
        question.type = QuestionType.TRUEFALSE
        value, _hash, feedbacks = answer.partition("#")
        wrong, _hash, right = feedbacks.partition("#")
        question.correct = _TRUE_FALSE[value.strip()]
        right, wrong = _clean(right), _clean(wrong)
        question.feedback_true = right if question.correct else wrong
        question.feedback_false = wrong if question.correct else right
    elif answer.startswith(">"):
        raise Refused(_("Soal mengurutkan {>…} belum didukung dalam GIFT; gunakan Moodle XML."))
    else:
        question.type = QuestionType.SHORTANSWER
        question.choices = _read_shortanswer(answer)


def _split(answer: str, markers: str) -> list[tuple[str, str]]:
    """The answers of a block, each as (marker, text after the marker)."""
    parts = re.split(f"(?=[{markers}])", answer)
    if parts[0].strip():
        raise Refused(
            _(
                "Ada teks “%(text)s” sebelum jawaban pertama; awali setiap jawaban dengan "
                "= atau ~.",
                text=_shown(parts[0].strip()),
            )
        )
    return [(part[0], part[1:]) for part in parts[1:]]


def _read_weight(body: str, default: float) -> tuple[float, str]:
    """A leading ``%50%`` weight as a fraction (or ``default``), and the rest of the answer."""
    body = body.strip()
    match = _WEIGHT_RE.match(body)
    if not match:
        return default, body
    weight = match.group(1).strip()
    if not NUMBER_RE.match(weight):
        raise Refused(_("Bobot “%(weight)s” bukan angka.", weight=_shown(weight)))
    return snap_fraction(float(weight) / 100), body[match.end() :]


def _read_choice(body: str, fraction: float) -> Choice:
    text, _hash, feedback = body.partition("#")
    return Choice(text=_clean(text), fraction=fraction, feedback=_clean(feedback))


def _read_multichoice(answer: str) -> list[Choice]:
    choices = []
    for marker, body in _split(answer, "=~"):
        if marker == "=":
            # Moodle gives "=" full credit and would keep "%50%" as answer text
            match = _WEIGHT_RE.match(body)
            if match and NUMBER_RE.match(match.group(1).strip()):
                raise Refused(
                    _(
                        "Pada pilihan ganda, jawaban = selalu bernilai penuh; tulis bobot "
                        "sebagian dengan ~, misalnya ~%%%(weight)s%%.",
                        weight=match.group(1).strip(),
                    )
                )
            choices.append(_read_choice(body, 1.0))
        else:
            fraction, body = _read_weight(body, 0.0)
            choices.append(_read_choice(body, fraction))
    return choices


def _read_shortanswer(answer: str) -> list[Choice]:
    choices = []
    for _marker, body in _split(answer, "="):
        fraction, rest = _read_weight(body, 1.0)
        choices.append(_read_choice(rest, fraction))
    return choices


def _read_matching(answer: str) -> list[Choice]:
    choices = []
    for _marker, body in _split(answer, "="):
        if "->" not in body:
            raise Refused(
                _("Pasangan “%(text)s” tidak memiliki tanda ->.", text=_shown(body.strip()))
            )
        left, right = body.split("->", 1)
        left = _clean(left)
        # Moodle reads no [format] on the right side; a pair is part of the right answer, a
        # distractor (no left side) is not
        match = _shown(right).strip()
        choices.append(Choice(text=left, match=match, fraction=1.0 if left else 0.0))
    return choices


def _read_numerical(answer: str) -> list[Choice]:
    answer, tilde, other = answer.partition("~")
    parts = answer.split("=")
    if not parts[0].strip():
        parts = parts[1:]
    if not any(part.strip() for part in parts):
        raise Refused(_("Soal numerik memerlukan sedikitnya satu jawaban angka."))
    choices = []
    for part in parts:
        fraction, body = _read_weight(part, 1.0)
        choice = _read_choice(body, fraction)
        _read_value(choice)
        choices.append(choice)
    if tilde:
        # "~#feedback": what any other answer gets (Moodle stores it as the answer "*")
        choices.append(Choice(text="*", feedback=_clean(other.partition("#")[2])))
    return choices


def _read_value(choice: Choice) -> None:
    """Turn ``v``, ``v:tolerance`` or ``low..high`` in ``choice.text`` into value ± tolerance."""
    text = choice.text
    if text == "*":
        return
    if text.find("..") > 0:
        low, high = (read_number(part) for part in text.split("..", 1))
        if high < low:
            raise Refused(_("Rentang %(text)s terbalik.", text=text))
        choice.value, choice.tolerance = (low + high) / 2, (high - low) / 2
    elif text.find(":") > 0:
        value, tolerance = text.split(":", 1)
        choice.value, choice.tolerance = read_number(value), read_number(tolerance)
    else:
        choice.value = read_number(text)
    choice.text = ""


# Writing


def _escape(text: str) -> str:
    for char in _ESCAPABLE:
        text = text.replace(char, "\\" + char)
    return text.replace("\r", "").replace("\n", "\\n")


def _write_text(text: str, text_format: TextFormat, default: TextFormat) -> str:
    """``text`` escaped, with a ``[format]`` prefix when it differs or the text could be misread."""
    prefix = ""
    if text_format is not default or text.startswith(("[", "//", "$")):
        prefix = f"[{_FORMAT_NAMES[text_format]}]"
    return prefix + _escape(text)


def _write_feedback(feedback: str, text_format: TextFormat) -> str:
    return "#" + _write_text(feedback, text_format, text_format) if feedback else ""


def _write_question(question: Question) -> str:
    lines = []
    if tags := tag_pairs(question):
        lines.append("// " + "; ".join(f"{key}: {value}" for key, value in tags))
    head = f"::{_escape(question.title)}::" if question.title else ""
    head += _write_text(question.text, question.text_format, _DEFAULT_FORMAT)
    lines.append(head + _write_answers(question))
    return "\n".join(lines)


def _write_answers(question: Question) -> str:
    kind, fmt = question.type, question.text_format
    general = question.general_feedback
    closing = f"####{_write_text(general, fmt, fmt)}" if general else ""
    if kind is QuestionType.DESCRIPTION:
        if general:
            raise Refused(_("GIFT tidak dapat menyimpan umpan balik umum pada teks keterangan."))
        return ""
    if kind is QuestionType.ORDERING:
        raise Refused(_("Soal mengurutkan tidak dapat ditulis dalam GIFT; gunakan Moodle XML."))
    if kind is QuestionType.ESSAY:
        return "{" + closing + "}"
    if kind is QuestionType.TRUEFALSE:
        right = question.feedback_true if question.correct else question.feedback_false
        wrong = question.feedback_false if question.correct else question.feedback_true
        feedback = _write_feedback(wrong, fmt) or ("#" if right else "")
        value = "TRUE" if question.correct else "FALSE"
        return "{" + value + feedback + _write_feedback(right, fmt) + closing + "}"
    writers = {
        QuestionType.MULTICHOICE: _write_choice,
        QuestionType.MULTIRESPONSE: _write_choice,
        QuestionType.SHORTANSWER: _write_shortanswer,
        QuestionType.MATCHING: _write_pair,
    }
    if kind is QuestionType.NUMERICAL:
        lines = _write_numerical(question)
    else:
        lines = [writers[kind](question, choice) for choice in question.choices]
    if kind is QuestionType.MULTICHOICE and not any(line.startswith("~") for line in lines):
        # without a "~" Moodle reads a short answer; full credit can be written as ~%100% too
        lines[1:] = ["~%100%" + line[1:] for line in lines[1:]]
    if closing:
        lines.append(closing)
    return (
        ("{#\n" if kind is QuestionType.NUMERICAL else "{\n")
        + "".join(f"\t{line}\n" for line in lines)
        + "}"
    )


def _weight(fraction: float) -> str:
    return f"%{format_number(fraction * 100, 5)}%"


def _write_choice(question: Question, choice: Choice) -> str:
    fraction = snap_fraction(choice.fraction)
    text = _write_text(choice.text, question.text_format, question.text_format)
    if fraction == 1.0 and question.type is QuestionType.MULTICHOICE:
        # a space keeps a text that starts like a weight from being read as one
        marker = "= " if _WEIGHT_RE.match(choice.text) else "="
    elif fraction == 0.0:
        marker = "~%0%" if text.startswith("%") else "~"
    else:
        marker = "~" + _weight(fraction)
    return marker + text + _write_feedback(choice.feedback, question.text_format)


def _write_shortanswer(question: Question, choice: Choice) -> str:
    if "->" in choice.text or "->" in choice.feedback:
        # an answer block holding "=" and "->" is a matching question to Moodle
        raise Refused(_("Jawaban isian singkat yang memuat -> tidak dapat ditulis dalam GIFT."))
    fraction = snap_fraction(choice.fraction)
    text = _write_text(choice.text, question.text_format, question.text_format)
    weight = _weight(fraction) if fraction != 1.0 or text.startswith("%") else ""
    return "=" + weight + text + _write_feedback(choice.feedback, question.text_format)


def _write_pair(question: Question, choice: Choice) -> str:
    if "->" in choice.text:
        raise Refused(_("Sisi kiri pasangan yang memuat -> tidak dapat ditulis dalam GIFT."))
    left = _write_text(choice.text, question.text_format, question.text_format)
    return f"={left} -> {_escape(choice.match)}"


def _write_numerical(question: Question) -> list[str]:
    lines, others = [], []
    for choice in question.choices:
        fraction = snap_fraction(choice.fraction)
        feedback = _write_feedback(choice.feedback, question.text_format)
        if choice.value is None:
            others.append((fraction, feedback))
            continue
        weight = _weight(fraction) if fraction != 1.0 else ""
        tolerance = f":{format_value(choice.tolerance)}" if choice.tolerance else ""
        lines.append(f"={weight}{format_value(choice.value)}{tolerance}{feedback}")
    if others:
        # GIFT has one "~" for any other answer, last in the block and worth nothing
        if len(others) > 1 or others[0][0] != 0.0:
            raise Refused(_("GIFT hanya dapat menyimpan satu jawaban lainnya (*) yang bernilai 0."))
        lines.append("~" + others[0][1])
    return lines
