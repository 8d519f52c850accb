"""Moodle GIFT import: every supported construct, a report of what was skipped, nothing written on errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from lms.core.content import Problems
from lms.quizzes import files, gift

SAMPLE = Path(__file__).resolve().parent / "sample.gift"


@pytest.fixture
def result():
    text = SAMPLE.read_text(encoding="utf-8").replace("::Bad numeric::How many?{#ten}\n", "")
    return gift.parse(text, bank="imported")


def _by_id(result):
    return {q["id"]: q for q in result.questions}


def test_every_supported_type_is_imported(result):
    q = _by_id(result)
    assert result.errors == []
    single = q["imported-patent-term"]
    assert single["type"] == "single_choice"
    assert [o.get("correct", False) for o in single["options"]] == [False, True, False]
    assert single["options"][0]["feedback"] == {"en": "The term runs from filing."}
    assert single["explanation"] == {"en": "Patent Act Art. 67(1)."}
    assert single["tags"] == ["patents"]
    assert single["objective"] == {"en": "Patents"}
    multi = q["imported-registered-rights"]
    assert multi["type"] == "multiple_response"
    assert [o.get("correct", False) for o in multi["options"]] == [True, True, False]
    tf = q["imported-design-term"]
    assert tf["type"] == "true_false"
    assert tf["answer"] is True
    assert tf["feedback"] == {False: {"en": "Wrong: it does since 2020."}, True: {"en": "Right."}}
    short = q["imported-office"]
    assert short == {**short, "type": "short_text", "accept": {"en": ["JPO", "Japan Patent Office"]}}
    match = q["imported-terms"]
    assert match["type"] == "matching"
    assert [(p["prompt"]["en"], p["answer"]["en"]) for p in match["pairs"]] == [
        ("Patent", "20 years"), ("Design", "25 years"), ("Utility model", "10 years")]
    assert match["distractors"] == [{"en": "50 years"}]
    assert (q["imported-pi"]["answer"], q["imported-pi"]["tolerance"]) == (3.14, 0.005)
    assert (q["imported-range"]["answer"], q["imported-range"]["tolerance"]) == (3, 2)
    assert (q["imported-multi-numeric"]["answer"], q["imported-multi-numeric"]["tolerance"]) == (1959, 0)
    assert q["imported-escapes"]["stem"] == {"en": "Is 1 = 1 and {braces} ~ # : kept?"}
    missing_word = next(x for x in result.questions if x["id"].startswith("imported-q"))
    assert missing_word["stem"] == {"en": "Moodle costs _____ to download."}
    assert missing_word["type"] == "single_choice"


def test_what_could_not_be_taken_is_reported_with_line_and_why(result):
    skipped = {(i.line, i.message) for i in result.skipped}
    assert (43, "not imported: an essay question (empty answer block)") in skipped
    assert (45, "not imported: a description without an answer block {...}") in skipped
    notes = [str(n) for n in result.notes]
    assert any("Patent Office" in n and "50% dropped" in n for n in notes)
    assert any("weights replaced" in n for n in notes)


def test_the_output_is_a_valid_bank(result, tmp_path):
    path = tmp_path / "imported.yml"
    path.write_text(gift.to_yaml("imported", "Imported", result.questions), encoding="utf-8")
    problems = Problems(tmp_path)
    parsed = files.Assessments()
    files.parse_bank(path, problems, parsed)
    assert list(problems) == []
    assert len(parsed.questions) == len(result.questions) == 10
    assert yaml.safe_load(path.read_text(encoding="utf-8"))["bank"] == "imported"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("::Q::Unclosed {=a ~b\n", "the answer block '{' is not closed"),
        ("::Q::Two {=a ~b} blocks {=c ~d}\n", "more than one answer block"),
        ("::Q::Nested {=a {~b}}\n", "a '{' inside an answer block"),
        ("::Q::Stray } brace\n", "'}' without '{'"),
        ("::Unclosed title Text {=a ~b}\n", "the title '::' is not closed"),
        ("::Q::How many?{#ten}\n", "not a numerical answer"),
        ("::Q::Range {#5..1}\n", "runs backwards"),
        ("::Q::Text {junk =a ~b}\n", "unexpected text 'junk' before the first answer"),
        ("::Q::Match {=a -> 1 ~b}\n", "answers are all '=prompt -> answer'"),
        ("::Q::{=a ~b}\n", "the question has no text"),
    ],
)
def test_syntax_errors_are_reported_with_their_line(text, message):
    result = gift.parse("// header\n\n" + text, bank="b")
    assert [(e.line, message in e.message) for e in result.errors] == [(3, True)], result.errors


def test_japanese_text_is_detected():
    result = gift.parse("::特許::特許権の存続期間は？{=出願から20年 ~登録から20年}\n", bank="jp")
    question = result.questions[0]
    assert question["stem"] == {"ja": "特許権の存続期間は？"}
    assert question["id"] == "jp-q1"  # a Japanese title has no ASCII slug


# ---------------------------------------------------------------------------------------------------------
# The command


def test_command_writes_the_bank_and_reports(app, tmp_path):
    runner = app.test_cli_runner()
    out = tmp_path / "banks" / "imported.yml"
    source = tmp_path / "ok.gift"
    source.write_text(SAMPLE.read_text(encoding="utf-8").replace("::Bad numeric::How many?{#ten}\n", ""),
                      encoding="utf-8")
    result = runner.invoke(args=["assessments", "import-gift", str(source), "--bank", "imported", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "wrote 10 question(s)" in result.output
    assert f"{source}:43: not imported: an essay question" in _stderr(result)
    assert out.exists()
    again = runner.invoke(args=["assessments", "import-gift", str(source), "--bank", "imported", "--out", str(out)])
    assert again.exit_code != 0
    assert "pass --force" in _stderr(again)


def test_command_writes_nothing_on_a_syntax_error(app, tmp_path):
    runner = app.test_cli_runner()
    out = tmp_path / "imported.yml"
    out.write_text("bank: imported\n", encoding="utf-8")
    result = runner.invoke(args=["assessments", "import-gift", str(SAMPLE), "--bank", "imported", "--out", str(out),
                                 "--force"])
    assert result.exit_code == 1
    assert f"{SAMPLE}:47: syntax error: not a numerical answer" in _stderr(result)
    assert "nothing was written" in _stderr(result)
    assert out.read_text(encoding="utf-8") == "bank: imported\n"  # unchanged


def test_command_refuses_a_bad_bank_name_and_non_utf8(app, tmp_path):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["assessments", "import-gift", str(SAMPLE), "--bank", "Bad Name"]).exit_code != 0
    latin1 = tmp_path / "latin1.gift"
    latin1.write_bytes("::Q::Caf\xe9 {=a ~b}\n".encode("latin-1"))
    result = runner.invoke(args=["assessments", "import-gift", str(latin1), "--bank", "x", "--out",
                                 str(tmp_path / "x.yml")])
    assert result.exit_code != 0
    assert "not UTF-8" in _stderr(result)
    assert not (tmp_path / "x.yml").exists()


def _stderr(result) -> str:
    try:
        return result.stderr
    except ValueError:
        return result.output
