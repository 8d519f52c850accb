# ruff: noqa: PT018
import pytest

from lms.curriculum import rules, sync
from lms.curriculum.progress import percent


def test_csv_rows_each_carry_their_own_error():
    rows, error = rules.parse_enrolment_csv(
        "\ufeffName,Email\nA,a@example.org\nB,\nC,not-mail\nD,A@EXAMPLE.ORG\n\n"
    )
    assert error is None
    assert [(r.line, r.email, r.error) for r in rows] == [
        (2, "a@example.org", None),
        (3, "", "no email in this row"),
        (4, "not-mail", "not a valid email address"),
        (5, "a@example.org", "duplicate of line 2"),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "header"),
        ("name\nx\n", "header"),
        ("email\n", "no rows"),
        ("email\n" + "a@b.co\n" * (rules.MAX_CSV_ROWS + 1), "more than"),
    ],
)
def test_csv_file_errors(text, message):
    _rows, error = rules.parse_enrolment_csv(text)
    assert error is not None and message in error


def test_snippet_escapes_and_marks():
    text = "before <b>x</b> 特許権の存続期間 after"
    marked = str(rules.snippet(text, "存続", width=20))
    assert "<mark>存続</mark>" in marked
    assert "&lt;b&gt;" in marked and "<b>" not in marked
    assert str(rules.snippet("<i>", "zz")) == "&lt;i&gt;"


def test_like_and_fts_quoting():
    assert rules.like_pattern("50%_a\\") == "%50\\%\\_a\\\\%"
    assert rules.fts_phrase('say "hi" OR x') == '"say ""hi"" OR x"'


def test_unified_diff_kinds():
    kinds = [k for k, _ in rules.unified_diff("a\nb\n", "a\nc\n", "v1", "v2")]
    assert kinds == ["file", "file", "hunk", "same", "del", "add"]


def test_percent():
    assert percent(0, 0) == 0
    assert percent(1, 3) == 33
    assert percent(3, 3) == 100


def test_link_resolution():
    index = sync.Index({"a": {"01-x", "02-y"}, "b": {"01-z"}})
    resolve = index.resolver("a")
    assert resolve("02-y.md") == "/courses/a/02-y"
    assert resolve("02-y.ja.md#part") == "/courses/a/02-y#part"
    assert resolve("../b/01-z.md") == "/courses/b/01-z"
    assert resolve("../b/course.md") == "/courses/b"
    assert resolve("03-none.md") is None
    assert resolve("../c/01-z.md") is None
    assert resolve("../../etc/passwd.md") is None
    assert resolve("notes.md") is None
