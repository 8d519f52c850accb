"""The pure section-by-section comparison of two versions."""

from lms.practicum.compare import diff_lines, diff_sections

T = {"en": "t", "ja": "t"}


def test_diff_lines():
    assert diff_lines("a\nb\nc", "a\nB\nc\nd") == [
        ("same", "a"), ("removed", "b"), ("added", "B"), ("same", "c"), ("added", "d")]
    assert diff_lines("", "") == []


def test_diff_sections_marks_changed_added_and_dropped_sections():
    old = [{"id": "p", "title": T, "markdown": "same"}, {"id": "gone", "title": T, "markdown": "x"}]
    new = [{"id": "p", "title": T, "markdown": "same"}, {"id": "new", "title": T, "markdown": "y"}]
    result = {d.id: d for d in diff_sections(old, new)}
    assert [d.id for d in diff_sections(old, new)] == ["p", "new", "gone"]
    assert not result["p"].changed
    assert result["new"].lines == [("added", "y")]
    assert result["gone"].lines == [("removed", "x")]
