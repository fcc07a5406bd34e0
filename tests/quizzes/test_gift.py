"""GIFT: each construct of Moodle's syntax, Lentera's tag line, problems, writing, round trips."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from lms.quizzes.formats import gift
from lms.quizzes.formats.model import (
    Choice,
    Difficulty,
    ImportResult,
    Question,
    QuestionType,
    TextFormat,
)

ROOT = Path(__file__).resolve().parents[2]
MOODLE = Path(__file__).parent / "fixtures" / "moodle"
COURSE_QUIZZES = sorted(ROOT.glob("courses/*/quiz/kuis-akhir.gift"))


@pytest.fixture(autouse=True)
def _app_context(app):
    """Messages go through Flask-Babel, which needs an application context."""
    with app.app_context():
        yield


def one(text: str) -> Question:
    """The single question in ``text``, which must import without problems."""
    result = gift.parse(text)
    assert result.errors == []
    assert len(result.questions) == 1
    return result.questions[0]


def without_lines(questions: list[Question]) -> list[Question]:
    return [dataclasses.replace(q, line=0) for q in questions]


# Structure: comments, blocks, categories, titles, formats


def test_comments_are_ignored_and_blank_lines_separate_questions():
    result = gift.parse(
        "// a comment\n// another\n\nFirst?{T}\n\n\n// before the second\nSecond?{F}\n"
    )
    assert result.errors == []
    assert [(q.text, q.correct, q.line) for q in result.questions] == [
        ("First?", True, 4),
        ("Second?", False, 8),
    ]


def test_category_applies_to_the_questions_after_it():
    result = gift.parse(
        "One?{T}\n\n$CATEGORY: $course$/top/KPP-101/kuis\n\nTwo?{T}\n\n"
        "Three?{T}\n\n$CATEGORY: Lain\n\nFour?{T}\n"
    )
    assert [q.category for q in result.questions] == ["", "KPP-101/kuis", "KPP-101/kuis", "Lain"]


def test_category_line_directly_above_a_question_still_reads_both():
    result = gift.parse("$CATEGORY: A/B\n::T::Teks?{T}\n")
    assert result.errors == []
    assert [(q.category, q.title, q.line) for q in result.questions] == [("A/B", "T", 2)]


def test_title_is_read_and_removed_from_the_text():
    question = one("::Judul soal:: Teks soal?{T}")
    assert (question.title, question.text) == ("Judul soal", "Teks soal?")


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        ("", TextFormat.MARKDOWN),
        ("[markdown]", TextFormat.MARKDOWN),
        ("[html]", TextFormat.HTML),
        ("[plain]", TextFormat.PLAIN),
        ("[moodle]", TextFormat.MOODLE),
    ],
)
def test_text_format_prefix_and_the_markdown_default(prefix, expected):
    question = one(f"::T::{prefix}<b>Teks</b>?{{T####{prefix}Umum}}")
    assert question.text_format is expected
    assert question.text == "<b>Teks</b>?"
    assert question.general_feedback == "Umum"


# Question types


def test_multiple_choice_with_feedback_and_general_feedback():
    question = one(
        "::MC::Ibu kota Indonesia?{\n"
        "=Jakarta#Benar.\n"
        "~Bandung#Salah, itu ibu kota Jawa Barat.\n"
        "~Surabaya\n"
        "####Ibu kota sedang dipindahkan ke IKN.\n"
        "}"
    )
    assert question == Question(
        type=QuestionType.MULTICHOICE,
        text="Ibu kota Indonesia?",
        title="MC",
        general_feedback="Ibu kota sedang dipindahkan ke IKN.",
        choices=[
            Choice(text="Jakarta", fraction=1.0, feedback="Benar."),
            Choice(text="Bandung", fraction=0.0, feedback="Salah, itu ibu kota Jawa Barat."),
            Choice(text="Surabaya", fraction=0.0),
        ],
        line=1,
    )


def test_multiple_choice_with_partial_and_negative_weights_keeps_one_answer():
    question = one("Pilih?{~%-50%salah ~%50%setengah =penuh ~%33.33333%sepertiga}")
    assert question.type is QuestionType.MULTICHOICE
    assert [c.fraction for c in question.choices] == [-0.5, 0.5, 1.0, 0.3333333]


def test_weights_without_an_equals_sign_make_a_multiple_response_question():
    question = one("Pilih dua.{\n~%50%A #ya\n~%50%B\n~%-100%C #tidak\n~%-33.33333%D\n~E\n}")
    assert question.type is QuestionType.MULTIRESPONSE
    assert [(c.text, c.fraction, c.feedback) for c in question.choices] == [
        ("A", 0.5, "ya"),
        ("B", 0.5, ""),
        ("C", -1.0, "tidak"),
        ("D", -0.3333333, ""),
        ("E", 0.0, ""),
    ]


def test_weights_close_to_moodle_grades_snap_to_them():
    question = one("Pilih tiga.{~%33.33333%A ~%33.33333%B ~%33.33334%C ~%-100%D}")
    assert [c.fraction for c in question.choices] == [0.3333333, 0.3333333, 0.3333333, -1.0]


@pytest.mark.parametrize(
    ("block", "correct", "when_true", "when_false"),
    [
        ("{T}", True, "", ""),
        ("{TRUE}", True, "", ""),
        ("{F}", False, "", ""),
        ("{FALSE}", False, "", ""),
        # Moodle: the first feedback is for a wrong answer, the second for a right one
        ("{T#salah jawab#benar jawab}", True, "benar jawab", "salah jawab"),
        ("{F#salah jawab#benar jawab}", False, "salah jawab", "benar jawab"),
        ("{TRUE##hanya benar}", True, "hanya benar", ""),
        ("{FALSE#hanya salah}", False, "hanya salah", ""),
    ],
)
def test_true_false_and_which_feedback_goes_where(block, correct, when_true, when_false):
    question = one(f"Pernyataan.{block}")
    assert question.type is QuestionType.TRUEFALSE
    assert (question.correct, question.feedback_true, question.feedback_false) == (
        correct,
        when_true,
        when_false,
    )


def test_true_false_with_general_feedback():
    question = one("Pernyataan.{FALSE#a#b####umum}")
    assert (question.correct, question.general_feedback) == (False, "umum")


def test_lowercase_true_is_a_short_answer_as_in_moodle():
    question = one("Pernyataan.{=true}")
    assert question.type is QuestionType.SHORTANSWER
    assert [c.text for c in question.choices] == ["true"]


def test_short_answer_with_weights_and_feedback():
    question = one("Singkatan?{=SP4N-LAPOR! =%50%LAPOR#Hampir. =%0%*#Bukan.}")
    assert question.type is QuestionType.SHORTANSWER
    assert [(c.text, c.fraction, c.feedback) for c in question.choices] == [
        ("SP4N-LAPOR!", 1.0, ""),
        ("LAPOR", 0.5, "Hampir."),
        ("*", 0.0, "Bukan."),
    ]


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        ("{#14}", [(14.0, 0.0, 1.0)]),
        ("{#1822:5}", [(1822.0, 5.0, 1.0)]),
        ("{#-2.5:0.5}", [(-2.5, 0.5, 1.0)]),
        ("{#1..5}", [(3.0, 2.0, 1.0)]),
        ("{#1e3}", [(1000.0, 0.0, 1.0)]),
        ("{#\n=%100%1822:0\n=%50%1822:2}", [(1822.0, 0.0, 1.0), (1822.0, 2.0, 0.5)]),
    ],
)
def test_numerical_answers(block, expected):
    question = one(f"Berapa?{block}")
    assert question.type is QuestionType.NUMERICAL
    assert [(c.value, c.tolerance, c.fraction) for c in question.choices] == expected
    assert all(c.text == "" for c in question.choices)


def test_numerical_feedback_and_any_other_answer():
    question = one("Berapa?{#=42:0#Tepat. =%50%40:5#Dekat. ~#Jauh sekali.}")
    assert question.choices == [
        Choice(value=42.0, tolerance=0.0, fraction=1.0, feedback="Tepat."),
        Choice(value=40.0, tolerance=5.0, fraction=0.5, feedback="Dekat."),
        Choice(text="*", value=None, fraction=0.0, feedback="Jauh sekali."),
    ]


def test_matching_pairs_and_a_distractor():
    question = one(
        "Pasangkan.{\n=Kucing -> Mengeong\n=Anjing->Menggonggong\n=[html]<b>Sapi</b> -> Melenguh\n"
        "= -> Berkokok\n}"
    )
    assert question.type is QuestionType.MATCHING
    assert [(c.text, c.match, c.fraction) for c in question.choices] == [
        ("Kucing", "Mengeong", 1.0),
        ("Anjing", "Menggonggong", 1.0),
        ("<b>Sapi</b>", "Melenguh", 1.0),
        ("", "Berkokok", 0.0),
    ]


def test_missing_word_keeps_the_text_after_the_block():
    question = one("Ibu kota Jawa Barat adalah {=Bandung ~Bogor ~Cirebon} sejak 1950.")
    assert question.text == "Ibu kota Jawa Barat adalah _____ sejak 1950."
    assert question.type is QuestionType.MULTICHOICE


def test_missing_word_at_the_start():
    question = one("{=Bandung =bandung} adalah ibu kota Jawa Barat.")
    assert question.text == "_____ adalah ibu kota Jawa Barat."


def test_essay_with_and_without_general_feedback():
    assert one("Jelaskan.{}").type is QuestionType.ESSAY
    question = one("Jelaskan.{####Rubrik: tiga poin.}")
    assert (question.type, question.general_feedback) == (QuestionType.ESSAY, "Rubrik: tiga poin.")


def test_text_without_braces_is_a_description():
    question = one("::Bacaan::Bacalah kasus berikut dengan saksama.")
    assert (question.type, question.title, question.text) == (
        QuestionType.DESCRIPTION,
        "Bacaan",
        "Bacalah kasus berikut dengan saksama.",
    )


def test_escaped_special_characters_and_newline():
    question = one(
        r"::Judul\: satu::Simbol \~ \= \# \{ \} \: \\ dan\nbaris baru?{"
        r"=a \= b#umpan \# balik ~c \{x\} ~d \~ e}"
    )
    assert question.title == "Judul: satu"
    assert question.text == "Simbol ~ = # { } : \\ dan\nbaris baru?"
    assert [(c.text, c.feedback) for c in question.choices] == [
        ("a = b", "umpan # balik"),
        ("c {x}", ""),
        ("d ~ e", ""),
    ]


def test_multi_line_question_text():
    question = one("::T::Baris satu\nbaris dua\n\ttiga{\n=ya\n~tidak\n}")
    assert question.text == "Baris satu\nbaris dua\n\ttiga"


def test_windows_line_endings_and_a_byte_order_mark():
    result = gift.parse("\ufeff// komentar\r\n::A::Satu?{T}\r\n\r\n::B::Dua?{\r\n=x\r\n~y\r\n}\r\n")
    assert result.errors == []
    assert [(q.title, q.text, q.line) for q in result.questions] == [
        ("A", "Satu?", 2),
        ("B", "Dua?", 4),
    ]
    assert [c.text for c in result.questions[1].choices] == ["x", "y"]


def test_tag_line_sets_competency_level_and_difficulty():
    result = gift.parse(
        "// kompetensi: M-PP; level: 3; kesulitan: sedang\n::A::Satu?{T}\n\n"
        "// Catatan penulis, bukan tag.\n// Level: 2;KESULITAN: Sulit\n::B::Dua?{T}\n\n"
        "::C::Tiga?{T}\n"
    )
    assert result.errors == []
    assert [(q.competency, q.level, q.difficulty) for q in result.questions] == [
        ("M-PP", 3, Difficulty.MEDIUM),
        (None, 2, Difficulty.HARD),
        (None, None, None),
    ]


# Problems: reported with their line, the other questions still import

PROBLEMS = [
    ("Kurung {=a ~b", 1, "tidak seimbang"),
    ("Kurung =a ~b}", 1, "tidak seimbang"),
    ("Kurung }=a ~b{", 1, "tidak seimbang"),
    ("Dua blok {=a ~b} dan {=c ~d}", 1, "satu blok"),
    ("Satu pilihan {~a}", 1, "dua pilihan"),
    ("Tanpa jawaban benar {~a ~b}", 1, "berjumlah 100, bukan 0"),
    ("Bobot {~%abc%a =b}", 1, "“abc” bukan angka"),
    ("Bobot {~%35%a =b}", 1, "Bobot 35 tidak termasuk"),
    ("Bobot {~%150%a ~%-50%b}", 1, "Bobot 150 tidak termasuk"),
    ("Jumlah {~%50%a ~%25%b ~c}", 1, "bukan 75"),
    ("Pasangan {=a -> 1 =b =c -> 3}", 1, "“b” tidak memiliki tanda ->"),
    ("Terlalu sedikit {=a -> 1 =b -> 2}", 1, "dua pasangan dan tiga jawaban"),
    ("Pasangan kosong {=a -> 1 =b -> =c -> 3}", 1, "“b” tidak memiliki jawaban"),
    ("[latex]Rumus?{T}", 1, "[latex] tidak dikenal"),
    ("::Judul::{T}", 1, "Teks soal kosong"),
    ("Campur {a =b}", 1, "“a” sebelum jawaban pertama"),
    ("Campur {=%50%a ~b}", 1, "jawaban = selalu bernilai penuh"),
    ("::Judul tanpa tutup {T}", 1, "tidak ditutup"),
    ("Angka {#abc}", 1, "“abc” bukan angka"),
    ("Angka {#1,5}", 1, "“1,5” bukan angka"),
    ("Angka {#1e999}", 1, "“1e999” bukan angka"),
    ("Rentang {#5..1}", 1, "terbalik"),
    ("Toleransi {#5:-1}", 1, "tidak boleh negatif"),
    ("Numerik {#}", 1, "sedikitnya satu jawaban angka"),
    ("Isian {=%50%a}", 1, "jawaban bernilai penuh"),
    ("Urutkan {>3 ALL\nsatu\ndua\ntiga\n}", 1, "{>…} belum didukung"),
    ("// kompetensi: M-PP; level: 7\nSoal?{T}", 1, "Level harus 1 sampai 5, bukan “7”"),
    ("// kesulitan: gampang\nSoal?{T}", 1, "bukan “gampang”"),
    ("// kompetensi: ; level: 2\nSoal?{T}", 1, "Kode kompetensi"),
    ("// level: 2; bobot: 3\nSoal?{T}", 1, "“bobot” tidak dikenal"),
    ("// kompetensi: M-PP; level: 2", 1, "tidak diikuti soal"),
]


@pytest.mark.parametrize(("bad", "line", "message"), PROBLEMS)
def test_a_bad_question_is_reported_at_its_line_and_the_rest_imports(bad, line, message):
    text = (
        f"// kompetensi: M-PP; level: 2\n::Awal::Pertama?{{T}}\n\n{bad}\n\n"
        "::Akhir::Terakhir?{F}\n"
    )
    result = gift.parse(text)
    assert [(p.line, message in p.message) for p in result.errors] == [(line + 3, True)]
    assert [q.title for q in result.questions] == ["Awal", "Akhir"]
    assert result.questions[0].competency == "M-PP"


def test_a_bad_question_in_the_middle_of_a_block_reports_its_first_line():
    result = gift.parse("Satu?{T}\n\n// catatan\n// lagi\n::Dua::Teks\nlanjut {=a\n~b\n\nTiga?{F}")
    assert [p.line for p in result.errors] == [5]
    assert len(result.questions) == 2


def test_many_category_lines_in_one_block_are_read_without_recursion():
    result = gift.parse("$CATEGORY: a\n" * 5000 + "$CATEGORY: akhir\nSoal?{T}\n")
    assert result.errors == []
    assert [(q.category, q.line) for q in result.questions] == [("akhir", 5002)]


def test_empty_input_has_no_questions_and_no_problems():
    assert gift.parse("") == ImportResult()
    assert gift.parse("\n// hanya komentar\n\n") == ImportResult()


# Writing


#: one question of every type GIFT can hold, with tags, categories, formats and weights
SAMPLE = (Path(__file__).parent / "fixtures" / "sample.gift").read_text(encoding="utf-8")


def test_parse_dump_parse_gives_the_same_questions():
    first = gift.parse(SAMPLE)
    assert first.errors == []
    text, problems = gift.dump(first.questions)
    assert problems == []
    second = gift.parse(text)
    assert second.errors == []
    assert without_lines(second.questions) == without_lines(first.questions)
    assert len(first.questions) == 11


def test_dump_writes_tags_categories_formats_and_weights():
    text, _problems = gift.dump(gift.parse(SAMPLE).questions)
    lines = text.splitlines()
    assert lines[0] == "$CATEGORY: KPP-101/kuis-akhir"
    assert "// kompetensi: M-PP; level: 3; kesulitan: sedang" in lines
    assert lines.count("$CATEGORY: Lain/Sub") == 1
    assert "::BS::[html]<p>Pernyataan</p>{TRUE#keliru#tepat####umum}" in lines
    assert "::Pilihan::Mana yang **benar**?{" in lines  # markdown is the default: no prefix
    assert "::Keterangan::[moodle]Bacalah kasus ini." in lines
    assert "\t~%-50%Salah satu#salah" in lines
    assert "\t~%33.33333%Sepertiga" in lines
    assert "\t=%50%13:1#dekat" in lines
    assert "\t~#jauh" in lines
    assert "\t= -> 3" in lines


def test_dump_escapes_every_special_character():
    question = Question(
        type=QuestionType.MULTICHOICE,
        title="Judul: {x}",
        text="Teks ~ = # { } : \\ dan\n\nparagraf baru\n// bukan komentar",
        general_feedback="umum #1",
        choices=[
            Choice(text="a = b", fraction=1.0, feedback="umpan # balik"),
            Choice(text="%50% diskon", fraction=0.0, feedback="x -> y"),
            Choice(text="[html] bukan format", fraction=0.0),
        ],
    )
    text, problems = gift.dump([question])
    assert problems == []
    assert "\\=" in text and "\\#" in text and "\\{" in text and "\\:" in text
    assert "\n\n" not in text.strip()  # newlines inside the text are escaped
    assert without_lines(gift.parse(text).questions) == [question]


@pytest.mark.parametrize(
    "text",
    ["[catatan] Bacalah", "// bukan komentar", "$CATEGORY: bukan kategori", "%50%"],
)
def test_dump_protects_text_that_gift_would_misread(text):
    question = Question(type=QuestionType.ESSAY, text=text)
    written, problems = gift.dump([question])
    assert problems == []
    assert without_lines(gift.parse(written).questions) == [question]


def test_dump_keeps_a_multiple_choice_whose_options_are_all_right():
    question = Question(
        type=QuestionType.MULTICHOICE,
        text="Semua benar.",
        choices=[Choice(text="a", fraction=1.0), Choice(text="%50% b", fraction=1.0)],
    )
    text, problems = gift.dump([question])
    assert problems == []
    assert without_lines(gift.parse(text).questions) == [question]


def test_dump_leaves_out_what_gift_cannot_express_and_says_which():
    questions = [
        Question(type=QuestionType.TRUEFALSE, text="Boleh.", correct=True),
        Question(
            type=QuestionType.ORDERING,
            text="Urutkan.",
            choices=[Choice(text="satu"), Choice(text="dua")],
        ),
        Question(type=QuestionType.DESCRIPTION, text="Bacaan.", general_feedback="umum"),
        Question(
            type=QuestionType.SHORTANSWER,
            text="Panah?",
            choices=[Choice(text="a -> b", fraction=1.0)],
        ),
        Question(
            type=QuestionType.NUMERICAL,
            text="Lainnya?",
            choices=[Choice(value=1.0, fraction=1.0), Choice(text="*", fraction=0.1)],
        ),
        Question(type=QuestionType.MULTICHOICE, text="Rusak.", choices=[Choice(text="a")]),
        Question(type=QuestionType.TRUEFALSE, text="Juga boleh.", correct=False),
    ]
    text, problems = gift.dump(questions)
    assert [p.line for p in problems] == [2, 3, 4, 5, 6]
    assert "mengurutkan" in problems[0].message
    assert [q.text for q in gift.parse(text).questions] == ["Boleh.", "Juga boleh."]


def test_dump_of_nothing_is_empty():
    assert gift.dump([]) == ("", [])


# Real files


@pytest.mark.parametrize("path", COURSE_QUIZZES, ids=lambda p: p.parts[-3])
def test_course_quizzes_import_completely_and_round_trip(path):
    result = gift.parse(path.read_text(encoding="utf-8"))
    assert result.errors == []
    assert len(result.questions) >= 15
    for question in result.questions:
        assert question.competency and question.level and question.difficulty, question.line
        assert question.category.endswith("/kuis-akhir")
    text, problems = gift.dump(result.questions)
    assert problems == []
    assert without_lines(gift.parse(text).questions) == without_lines(result.questions)


def test_there_are_five_course_quizzes():
    assert len(COURSE_QUIZZES) == 5


def test_moodle_fixture_imports_as_moodle_does():
    # Moodle's behat test: "Importing 9 questions from file"
    result = gift.parse((MOODLE / "questions.gift.txt").read_text(encoding="utf-8"))
    assert result.errors == []
    assert [(q.title, q.type) for q in result.questions] == [
        ("Q8", QuestionType.ESSAY),
        ("Moodle activities", QuestionType.MATCHING),
        ("Q2", QuestionType.MULTICHOICE),
        ("colours", QuestionType.MULTIRESPONSE),
        ("Q5", QuestionType.NUMERICAL),
        ("Shortanswer", QuestionType.SHORTANSWER),
        ("Q1", QuestionType.TRUEFALSE),
        ("2-08 TSL", QuestionType.TRUEFALSE),
        ("2-08 TSL", QuestionType.TRUEFALSE),
    ]
    matching, q2, colours, q5, _short, q1 = result.questions[1:7]
    assert matching.text_format is TextFormat.HTML
    assert [c.text for c in matching.choices][:2] == [
        "An activity supporting asynchronous discussions.",
        "A teacher asks a question and specifies a choice of multiple responses.",
    ]
    assert matching.choices[-1] == Choice(text="", match="Chat", fraction=0.0)
    assert [(c.text, c.feedback) for c in q2.choices] == [
        ("yellow", "right; good!"),
        ("red", "wrong, it's yellow"),
        ("blue", "wrong, it's yellow"),
    ]
    assert [c.fraction for c in colours.choices] == [0.5, -1.0, 0.5, -1.0]
    # text after the closing brace makes Moodle insert a blank, even here
    assert q5.text == 'What is a number from 1 to 5? _____";'
    assert q5.choices[-1] == Choice(text="*", fraction=0.0, feedback="Completely wrong")
    assert (q1.correct, q1.feedback_true, q1.feedback_false) == (
        False,
        "42 is the Ultimate Answer.",
        "You gave the right answer.",
    )
    assert q1.general_feedback.startswith("This is, of course")


def test_moodle_fixture_with_category_and_escapes():
    text = (MOODLE / "questions_in_category.gift.txt").read_text(encoding="utf-8")
    result = gift.parse(text)
    assert result.errors == []
    assert {q.category for q in result.questions} == {"Default for New Features"}
    assert [q.type for q in result.questions] == [
        QuestionType.MATCHING,
        QuestionType.MULTICHOICE,
        QuestionType.SHORTANSWER,
        QuestionType.TRUEFALSE,
    ]
    greeting = result.questions[1]
    assert greeting.text.startswith(
        '<a href="http://demo.moodle.net/file.php/5/media/bonjour.mp3">Listen to this greeting:</a>'
    )


def test_moodle_examples_file_imports_entirely():
    result = gift.parse((MOODLE / "examples.gift.txt").read_text(encoding="utf-8"))
    assert result.errors == []
    assert len(result.questions) == 43
    control = next(q for q in result.questions if q.title == "GIFT Control Characters")
    assert [c.text for c in control.choices] == ["~", "=", "#", "{", "}", "\\"]
    assert control.choices[-1].fraction == 1.0
    assert "literal backslash" in control.choices[-1].feedback
    text, problems = gift.dump(result.questions)
    assert problems == []
    assert without_lines(gift.parse(text).questions) == without_lines(result.questions)
