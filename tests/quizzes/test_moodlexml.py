"""Moodle XML: every type read field by field, problems, hostile files, writing and round trips."""

from __future__ import annotations

import base64
import dataclasses
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from lms.quizzes.formats import gift, moodlexml
from lms.quizzes.formats.model import (
    Choice,
    Difficulty,
    Question,
    QuestionType,
    TextFormat,
)

ROOT = Path(__file__).resolve().parents[2]
MOODLE = Path(__file__).parent / "fixtures" / "moodle"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
PNG64 = base64.b64encode(PNG).decode()


@pytest.fixture(autouse=True)
def _app_context(app):
    """Messages go through Flask-Babel, which needs an application context."""
    with app.app_context():
        yield


def quiz(*questions: str) -> bytes:
    head = '<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n'
    return (head + "".join(questions) + "</quiz>\n").encode()


def question_xml(kind: str, body: str, name: str = "Soal", text: str = "Teks?") -> str:
    return (
        f'<question type="{kind}">\n<name><text>{name}</text></name>\n'
        f'<questiontext format="html"><text>{text}</text></questiontext>\n{body}</question>\n'
    )


def one(data: bytes) -> Question:
    result = moodlexml.parse(data)
    assert result.errors == []
    assert len(result.questions) == 1
    return result.questions[0]


def without_lines(questions: list[Question]) -> list[Question]:
    return [dataclasses.replace(q, line=0) for q in questions]


# Reading, type by type

FULL = f"""<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <!-- question: 0  -->
  <question type="category">
    <category><text>$course$/top/KPP-101/Bank</text></category>
  </question>
  <question type="multichoice">
    <name><text>Pilihan</text></name>
    <questiontext format="html">
      <text><![CDATA[<p>Mana? <img src="@@PLUGINFILE@@/gambar.png"></p>]]></text>
      <file name="gambar.png" path="/" encoding="base64">{PNG64}</file>
    </questiontext>
    <generalfeedback format="html"><text>Umum.</text></generalfeedback>
    <defaultgrade>2.0000000</defaultgrade>
    <penalty>0.3333333</penalty>
    <hidden>0</hidden>
    <single>true</single>
    <shuffleanswers>true</shuffleanswers>
    <answernumbering>abc</answernumbering>
    <answer fraction="100" format="html">
      <text>Benar</text>
      <feedback format="html"><text>Ya.</text></feedback>
    </answer>
    <answer fraction="-33.33333" format="html">
      <text>Salah</text>
      <feedback format="html"><text></text></feedback>
    </answer>
    <tags>
      <tag><text>kompetensi:M-PP</text></tag>
      <tag><text>level:4</text></tag>
      <tag><text>kesulitan:sulit</text></tag>
      <tag><text>bebas</text></tag>
    </tags>
  </question>
  <question type="multichoice">
    <name><text>Jamak</text></name>
    <questiontext format="markdown"><text>Pilih **dua**.</text></questiontext>
    <single>false</single>
    <answer fraction="50"><text>A</text></answer>
    <answer fraction="50"><text>B</text></answer>
    <answer fraction="-100"><text>C</text></answer>
  </question>
  <question type="truefalse">
    <name><text>BS</text></name>
    <questiontext format="plain_text"><text>Langit biru.</text></questiontext>
    <answer fraction="0"><text>true</text><feedback><text>Saat siang ya.</text></feedback></answer>
    <answer fraction="100"><text>false</text><feedback><text>Tepat.</text></feedback></answer>
  </question>
  <question type="shortanswer">
    <name><text>Isian</text></name>
    <questiontext format="moodle_auto_format"><text>Singkatan?</text></questiontext>
    <usecase>1</usecase>
    <answer fraction="100"><text>SP4N-LAPOR!</text><feedback><text>Ya.</text></feedback></answer>
    <answer fraction="50"><text>LAPOR</text></answer>
  </question>
  <question type="numerical">
    <name><text>Angka</text></name>
    <questiontext format="html"><text>Berapa?</text></questiontext>
    <answer fraction="100"><text>42</text><tolerance>0.5</tolerance>
      <feedback><text>Tepat.</text></feedback></answer>
    <answer fraction="50"><text>40</text><tolerance>2</tolerance></answer>
    <answer fraction="0"><text>*</text><feedback><text>Jauh.</text></feedback></answer>
  </question>
  <question type="matching">
    <name><text>Jodoh</text></name>
    <questiontext format="html"><text>Pasangkan.</text></questiontext>
    <shuffleanswers>false</shuffleanswers>
    <subquestion format="html"><text>Kucing</text>
      <answer><text>Mengeong</text></answer></subquestion>
    <subquestion format="html"><text>Anjing</text>
      <answer><text>Menggonggong</text></answer></subquestion>
    <subquestion format="html"><text></text><answer><text>Berkokok</text></answer></subquestion>
    <subquestion format="html"><text></text><answer><text></text></answer></subquestion>
  </question>
  <question type="ordering">
    <name><text>Urut</text></name>
    <questiontext format="html"><text>Urutkan.</text></questiontext>
    <layouttype>VERTICAL</layouttype>
    <answer fraction="1.0000000" format="html"><text>Rencana</text>
      <feedback format="html"><text>Pertama.</text></feedback></answer>
    <answer fraction="2.0000000" format="html"><text>Laksana</text></answer>
    <answer fraction="3.0000000" format="html"><text>Evaluasi</text></answer>
  </question>
  <question type="essay">
    <name><text>Esai</text></name>
    <questiontext format="html"><text>Jelaskan.</text></questiontext>
    <responseformat>editor</responseformat>
  </question>
  <question type="description">
    <name><text>Bacaan</text></name>
    <questiontext format="html"><text>Bacalah.</text></questiontext>
    <defaultgrade>0</defaultgrade>
  </question>
</quiz>
""".encode()


def test_every_supported_type_reads_field_by_field():
    result = moodlexml.parse(FULL)
    assert result.errors == []
    questions = {q.title: q for q in result.questions}
    assert list(questions) == [
        "Pilihan", "Jamak", "BS", "Isian", "Angka", "Jodoh", "Urut", "Esai", "Bacaan"
    ]  # fmt: skip
    assert {q.category for q in result.questions} == {"KPP-101/Bank"}
    assert questions["Pilihan"] == Question(
        type=QuestionType.MULTICHOICE,
        text='<p>Mana? <img src="@@PLUGINFILE@@/gambar.png"></p>',
        title="Pilihan",
        text_format=TextFormat.HTML,
        general_feedback="Umum.",
        category="KPP-101/Bank",
        competency="M-PP",
        level=4,
        difficulty=Difficulty.HARD,
        default_mark=2.0,
        choices=[
            Choice(text="Benar", fraction=1.0, feedback="Ya."),
            Choice(text="Salah", fraction=-0.3333333),
        ],
        shuffle=True,
        files={"gambar.png": PNG},
        line=7,
    )
    jamak = questions["Jamak"]
    assert (jamak.type, jamak.text_format, jamak.shuffle) == (
        QuestionType.MULTIRESPONSE,
        TextFormat.MARKDOWN,
        False,  # Moodle's default when <shuffleanswers> is missing
    )
    assert [c.fraction for c in jamak.choices] == [0.5, 0.5, -1.0]
    truefalse = questions["BS"]
    assert (truefalse.correct, truefalse.feedback_true, truefalse.feedback_false) == (
        False,
        "Saat siang ya.",
        "Tepat.",
    )
    assert truefalse.text_format is TextFormat.PLAIN
    isian = questions["Isian"]
    assert isian.text_format is TextFormat.MOODLE
    assert [(c.text, c.fraction, c.feedback) for c in isian.choices] == [
        ("SP4N-LAPOR!", 1.0, "Ya."),
        ("LAPOR", 0.5, ""),
    ]
    assert questions["Angka"].choices == [
        Choice(value=42.0, tolerance=0.5, fraction=1.0, feedback="Tepat."),
        Choice(value=40.0, tolerance=2.0, fraction=0.5),
        Choice(text="*", fraction=0.0, feedback="Jauh."),
    ]
    jodoh = questions["Jodoh"]
    assert jodoh.shuffle is False
    assert jodoh.choices == [
        Choice(text="Kucing", match="Mengeong", fraction=1.0),
        Choice(text="Anjing", match="Menggonggong", fraction=1.0),
        Choice(text="", match="Berkokok", fraction=0.0),
    ]
    assert [(c.text, c.feedback) for c in questions["Urut"].choices] == [
        ("Rencana", "Pertama."),
        ("Laksana", ""),
        ("Evaluasi", ""),
    ]
    assert questions["Esai"].type is QuestionType.ESSAY
    assert (questions["Bacaan"].type, questions["Bacaan"].default_mark) == (
        QuestionType.DESCRIPTION,
        1.0,
    )


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("$course$/top/A/B", "A/B"),
        ("$system$/top/A", "A"),
        ("$module$/top/A", "A"),
        ("$course$/A/B", "A/B"),
        ("top/A", "A"),
        ("A/B", "A/B"),
        ("$course$/top", ""),
        ("$course$/top/ Spasi / Sub ", "Spasi/Sub"),
    ],
)
def test_category_paths_lose_moodle_context_and_top(path, expected):
    data = quiz(
        f'<question type="category"><category><text>{path}</text></category></question>',
        question_xml("essay", ""),
    )
    assert one(data).category == expected


def test_old_category_without_text_element():
    data = quiz(
        '<question type="category"><category>$course$/Lama</category></question>',
        question_xml("essay", ""),
    )
    assert one(data).category == "Lama"


def test_missing_text_format_means_html_as_in_moodle():
    data = quiz('<question type="essay"><questiontext><text>X</text></questiontext></question>')
    assert one(data).text_format is TextFormat.HTML


def test_files_of_every_area_are_collected_and_references_kept():
    body = (
        '<generalfeedback format="html"><text>&lt;img src="@@PLUGINFILE@@/b.png"&gt;</text>'
        f'<file name="b.png" path="/" encoding="base64">{PNG64}</file></generalfeedback>'
        '<answer fraction="100"><text>x</text><feedback><text>f</text>'
        f'<file name="c.png" path="/sub/" encoding="base64">\n  {PNG64[:20]}\n  {PNG64[20:]}\n'
        "</file></feedback></answer>"
        '<answer fraction="0"><text>y</text></answer>'
    )
    question = one(quiz(question_xml("multichoice", body)))
    assert question.files == {"b.png": PNG, "sub/c.png": PNG}
    assert question.general_feedback == '<img src="@@PLUGINFILE@@/b.png">'


def test_tags_set_lentera_fields_and_others_are_ignored():
    tags = "".join(
        f"<tag><text>{t}</text></tag>"
        for t in ("Kompetensi: T-KEUDA", "level:1", "kesulitan:Mudah", "ujian:2024", "lain")
    )
    question = one(quiz(question_xml("essay", f"<tags>{tags}</tags>")))
    assert (question.competency, question.level, question.difficulty) == (
        "T-KEUDA",
        1,
        Difficulty.EASY,
    )


def test_old_true_false_with_translated_words_takes_true_first():
    body = (
        '<answer fraction="100"><text>Benar</text></answer>'
        '<answer fraction="0"><text>Salah</text><feedback><text>x</text></feedback></answer>'
    )
    question = one(quiz(question_xml("truefalse", body)))
    assert (question.correct, question.feedback_false) == (True, "x")


# Problems: one per bad question, at the line of its <question>

GOOD = question_xml("essay", "", name="Baik")


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (question_xml("calculated", ""), "“calculated” belum didukung"),
        (question_xml("multianswer", ""), "“multianswer” belum didukung"),
        (question_xml("cloze", ""), "“cloze” belum didukung"),
        (question_xml("ddwtos", ""), "“ddwtos” belum didukung"),
        ("<question><name><text>x</text></name></question>\n", "“?” belum didukung"),
        (question_xml("essay", "", text=""), "Teks soal kosong"),
        (
            question_xml("multichoice", '<answer fraction="100"><text>a</text></answer>'),
            "dua pilihan",
        ),
        (
            question_xml(
                "multichoice",
                '<answer fraction="90"><text>a</text></answer>'
                '<answer fraction="0"><text>b</text></answer>',
            ),
            "satu jawaban bernilai penuh",
        ),
        (
            question_xml(
                "multichoice",
                '<single>false</single><answer fraction="50"><text>a</text></answer>'
                '<answer fraction="0"><text>b</text></answer>',
            ),
            "bukan 50",
        ),
        (
            question_xml(
                "multichoice",
                '<answer fraction="abc"><text>a</text></answer>'
                '<answer fraction="100"><text>b</text></answer>',
            ),
            "“abc” bukan angka",
        ),
        (
            question_xml(
                "shortanswer",
                '<answer fraction="35"><text>a</text></answer>'
                '<answer fraction="100"><text>b</text></answer>',
            ),
            "Bobot 35 tidak termasuk",
        ),
        (
            question_xml(
                "truefalse",
                '<answer fraction="0"><text>true</text></answer>'
                '<answer fraction="0"><text>false</text></answer>',
            ),
            "tepat satu jawaban bernilai 100",
        ),
        (
            question_xml("numerical", '<answer fraction="100"><text>dua</text></answer>'),
            "“dua” bukan angka",
        ),
        (
            question_xml(
                "numerical",
                '<answer fraction="100"><text>2</text><tolerance>x</tolerance></answer>',
            ),
            "“x” bukan angka",
        ),
        (
            question_xml(
                "numerical",
                '<answer fraction="100"><text>2</text></answer>'
                "<units><unit><multiplier>1</multiplier><unit_name>m</unit_name></unit></units>",
            ),
            "Satuan",
        ),
        (
            question_xml(
                "matching",
                "<subquestion><text>a</text><answer><text>1</text></answer></subquestion>"
                "<subquestion><text>b</text><answer><text>2</text></answer></subquestion>",
            ),
            "dua pasangan dan tiga jawaban",
        ),
        (
            question_xml("ordering", '<answer fraction="1"><text>satu</text></answer>'),
            "dua butir",
        ),
        (
            question_xml("essay", "<defaultgrade>banyak</defaultgrade>"),
            "“banyak” bukan angka",
        ),
        (
            question_xml("essay", "<tags><tag><text>level:9</text></tag></tags>"),
            "bukan “9”",
        ),
        (
            question_xml(
                "essay", "", text='x</text><file name="a.png" encoding="base64">***</file><text>'
            ),
            "“a.png” tidak dapat dibaca",
        ),
        (
            question_xml(
                "essay",
                f'<generalfeedback><text>g</text><file name="a.png">{PNG64}</file>'
                "</generalfeedback>",
                text='x</text><file name="a.png" encoding="base64">AAAA</file><text>',
            ),
            "“a.png” muncul dua kali",
        ),
        (
            question_xml(
                "essay", "", text='x</text><file name="a.png" encoding="hex">00</file><text>'
            ),
            "tidak berkode base64",
        ),
    ],
)
def test_a_bad_question_is_reported_at_its_line_and_the_rest_imports(bad, message):
    result = moodlexml.parse(quiz(GOOD, bad, GOOD))
    bad_line = 3 + GOOD.count("\n")  # after the declaration, <quiz> and one good question
    assert [(p.line, message in p.message) for p in result.errors] == [(bad_line, True)]
    assert [q.title for q in result.questions] == ["Baik", "Baik"]
    assert [q.line for q in result.questions] == [3, bad_line + bad.count("\n")]


def test_moodle_fixture_with_an_invalid_grade_is_refused_like_moodle_does():
    result = moodlexml.parse((MOODLE / "error_invalid_grades.xml").read_bytes())
    assert result.questions == []
    assert [p.line for p in result.errors] == [4]
    assert "33" in result.errors[0].message


@pytest.mark.parametrize(
    ("data", "line", "message"),
    [
        (b"", 1, "bukan XML yang sah"),
        (b"ini bukan xml", 1, "bukan XML yang sah"),
        (b"<quiz>\n<question type='essay'>\n</quiz>\n", 3, "bukan XML yang sah"),
        (b'{"quiz": []}', 1, "bukan XML yang sah"),
        (b"<?xml version='1.0'?>\n<soal/>", 2, "<quiz>, bukan <soal>"),
        ("<?xml version='1.0' encoding='ISO-8859-1'?><quiz/>".encode("latin-1"), 1, "UTF-8"),
        ("<quiz>\n<!-- é -->\n</quiz>".encode("latin-1"), 2, "UTF-8"),
        ("<quiz/>".encode("utf-16"), 1, "UTF-8"),
    ],
)
def test_a_file_that_cannot_be_read_gives_one_problem(data, line, message):
    result = moodlexml.parse(data)
    assert result.questions == []
    assert [(p.line, message in p.message) for p in result.errors] == [(line, True)]


def test_a_file_over_the_limit_is_refused_before_parsing(monkeypatch):
    monkeypatch.setattr(moodlexml, "MAX_BYTES", 100)
    result = moodlexml.parse(quiz(GOOD, GOOD))
    assert result.questions == []
    assert [p.line for p in result.errors] == [1]
    assert "lebih besar" in result.errors[0].message


def test_a_utf8_byte_order_mark_is_accepted():
    assert one(b"\xef\xbb\xbf" + quiz(GOOD)).title == "Baik"


# Hostile XML

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE quiz [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<quiz><question type="essay"><questiontext><text>&lol9;</text></questiontext></question></quiz>
"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE quiz [
  <!ENTITY xxe SYSTEM "file:///etc/passwd">
]>
<quiz><question type="essay"><questiontext><text>&xxe;</text></questiontext></question></quiz>
"""

PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE quiz [
  <!ENTITY % remote SYSTEM "http://127.0.0.1:1/evil.dtd">
  %remote;
]>
<quiz/>
"""


@pytest.mark.parametrize(
    "data", [BILLION_LAUGHS, EXTERNAL_ENTITY, PARAMETER_ENTITY], ids=["laughs", "file", "remote"]
)
def test_hostile_xml_is_refused_without_expanding_anything(data):
    started = time.monotonic()
    result = moodlexml.parse(data)
    assert time.monotonic() - started < 2
    assert result.questions == []
    assert len(result.errors) == 1
    assert result.errors[0].line in (3, 4)
    assert "entitas" in result.errors[0].message
    assert "root:" not in result.errors[0].message


def test_a_plain_doctype_without_entities_is_fine():
    assert one(b'<?xml version="1.0"?>\n<!DOCTYPE quiz>\n' + quiz(GOOD)[39:]).title == "Baik"


# Real files from Moodle


def test_moodle_nested_categories_fixture():
    result = moodlexml.parse((MOODLE / "nested_categories_with_questions.xml").read_bytes())
    assert result.errors == []
    assert [(q.category, q.type, q.title) for q in result.questions] == [
        ("Iota", QuestionType.TRUEFALSE, "Iota Question"),
        ("Iota/Kappa", QuestionType.ESSAY, "Kappa Essay Question"),
        ("Iota/Kappa", QuestionType.TRUEFALSE, "Kappa Question"),
        ("Iota/Kappa/Lambda", QuestionType.TRUEFALSE, "Lambda Question"),
        ("Iota/Mu", QuestionType.TRUEFALSE, "Mu Question"),
    ]
    assert all(q.correct for q in result.questions if q.type is QuestionType.TRUEFALSE)
    assert result.questions[1].text_format is TextFormat.MOODLE


def test_moodle_fixture_with_the_old_image_tag():
    result = moodlexml.parse((MOODLE / "sample_questions_with_old_image_tag.xml").read_bytes())
    assert [(p.line, "“cloze” belum didukung" in p.message) for p in result.errors] == [(16, True)]
    [question] = result.questions
    assert (question.type, question.title, question.category, question.line) == (
        QuestionType.MULTICHOICE,
        "mcq with image",
        "Default for Test images in backup",
        36,
    )
    assert question.text.endswith(' <img src="@@PLUGINFILE@@/moodle.png" />')
    assert question.files["moodle.png"].startswith(b"\x89PNG")
    assert [(c.text, c.fraction) for c in question.choices] == [
        ("wrong answer", 0.0),
        ("another wrong answer", 0.0),
        ("right answer", 1.0),
    ]
    assert question.shuffle is True


# Writing


def test_dump_parse_gives_the_same_questions_for_every_type():
    first = moodlexml.parse(FULL)
    second = moodlexml.parse(moodlexml.dump(first.questions))
    assert second.errors == []
    assert without_lines(second.questions) == without_lines(first.questions)


def test_dump_writes_the_elements_moodle_reads():
    root = ET.fromstring(moodlexml.dump(moodlexml.parse(FULL).questions))
    assert root.tag == "quiz"
    first, second = root[0], root[1]
    assert first.get("type") == "category"
    assert first.findtext("category/text") == "$course$/top/KPP-101/Bank"
    assert second.get("type") == "multichoice"
    assert second.findtext("name/text") == "Pilihan"
    assert second.find("questiontext").get("format") == "html"
    assert second.findtext("single") == "true"
    assert second.findtext("shuffleanswers") == "true"
    assert second.findtext("defaultgrade") == "2"
    assert [a.get("fraction") for a in second.findall("answer")] == ["100", "-33.33333"]
    assert second.findtext("answer/feedback/text") == "Ya."
    [image] = second.findall("questiontext/file")
    assert (image.get("name"), image.get("path"), image.get("encoding")) == (
        "gambar.png",
        "/",
        "base64",
    )
    assert base64.b64decode(image.text) == PNG
    assert [t.text for t in second.findall("tags/tag/text")] == [
        "kompetensi:M-PP",
        "level:4",
        "kesulitan:sulit",
    ]
    by_type = {q.get("type"): q for q in root[2:]}
    assert by_type["truefalse"].find("questiontext").get("format") == "plain_text"
    assert by_type["shortanswer"].findtext("usecase") == "0"
    assert [a.findtext("tolerance") for a in by_type["numerical"].findall("answer")] == [
        "0.5",
        "2",
        "0",
    ]
    assert [a.findtext("text") for a in by_type["numerical"].findall("answer")] == [
        "42",
        "40",
        "*",
    ]
    assert [s.findtext("answer/text") for s in by_type["matching"].findall("subquestion")] == [
        "Mengeong",
        "Menggonggong",
        "Berkokok",
    ]
    assert [a.get("fraction") for a in by_type["ordering"].findall("answer")] == ["1", "2", "3"]
    assert by_type["essay"].findtext("responseformat") == "editor"
    assert by_type["description"].findtext("defaultgrade") == "0"


def test_dump_puts_each_file_in_the_area_that_refers_to_it():
    question = Question(
        type=QuestionType.MULTICHOICE,
        text="Soal",
        general_feedback='<img src="@@PLUGINFILE@@/umum.png">',
        choices=[
            Choice(text="a", fraction=1.0, feedback='<img src="@@PLUGINFILE@@/sub/x%20y.png">'),
            Choice(text="b"),
        ],
        files={"umum.png": PNG, "sub/x y.png": PNG, "lepas.png": b"x"},
    )
    root = ET.fromstring(moodlexml.dump([question]))
    names = {
        area: [f.get("path") + f.get("name") for f in root.findall(f"question/{area}/file")]
        for area in ("questiontext", "generalfeedback", "answer/feedback")
    }
    assert names == {
        "questiontext": ["/lepas.png"],
        "generalfeedback": ["/umum.png"],
        "answer/feedback": ["/sub/x y.png"],
    }
    assert one(moodlexml.dump([question])).files == question.files


def test_dump_escapes_markup_and_drops_characters_xml_cannot_hold():
    question = Question(
        type=QuestionType.ESSAY,
        title="A & B <c>",
        text="x < y && ]]> \x01 selesai",
        text_format=TextFormat.MARKDOWN,
    )
    data = moodlexml.dump([question])
    assert b'encoding="UTF-8"' in data.splitlines()[0]
    back = one(data)
    assert (back.title, back.text, back.text_format) == (
        "A & B <c>",
        "x < y && ]]>  selesai",
        TextFormat.MARKDOWN,
    )


def test_dump_names_an_untitled_question_after_its_text():
    question = Question(type=QuestionType.ESSAY, text="<p>Jelaskan   alur\nkerja.</p>")
    assert one(moodlexml.dump([question])).title == "Jelaskan alur kerja."


def test_dump_starts_a_category_only_when_it_changes():
    questions = [
        Question(type=QuestionType.ESSAY, text="a", title="a"),
        Question(type=QuestionType.ESSAY, text="b", title="b", category="X"),
        Question(type=QuestionType.ESSAY, text="c", title="c", category="X"),
        Question(type=QuestionType.ESSAY, text="d", title="d"),
    ]
    root = ET.fromstring(moodlexml.dump(questions))
    assert [q.get("type") for q in root] == [
        "essay", "category", "essay", "essay", "category", "essay"
    ]  # fmt: skip
    assert [q.category for q in moodlexml.parse(moodlexml.dump(questions)).questions] == [
        "",
        "X",
        "X",
        "",
    ]


def test_dump_of_nothing_is_an_empty_quiz():
    assert moodlexml.parse(moodlexml.dump([])).questions == []


# Between the formats


def test_gift_to_xml_to_gift_keeps_every_question():
    sample = Path(__file__).parent / "fixtures" / "sample.gift"
    questions = gift.parse(sample.read_text(encoding="utf-8")).questions
    # Moodle needs a name: an untitled question is named after its text, as Moodle's GIFT
    # importer would name it
    expected = [dataclasses.replace(q, title=q.title or q.text) for q in questions]
    assert any(not q.title for q in questions)
    through_xml = moodlexml.parse(moodlexml.dump(questions))
    assert through_xml.errors == []
    assert without_lines(through_xml.questions) == without_lines(expected)
    text, problems = gift.dump(through_xml.questions)
    assert problems == []
    assert without_lines(gift.parse(text).questions) == without_lines(expected)


@pytest.mark.parametrize(
    "path", sorted(ROOT.glob("courses/*/quiz/kuis-akhir.gift")), ids=lambda p: p.parts[-3]
)
def test_course_quizzes_survive_a_trip_through_moodle_xml(path):
    questions = gift.parse(path.read_text(encoding="utf-8")).questions
    assert questions
    back = moodlexml.parse(moodlexml.dump(questions))
    assert back.errors == []
    assert without_lines(back.questions) == without_lines(questions)
