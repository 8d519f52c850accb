"""Attachments: type checked by content, size limit, stored in LMS_STORAGE_DIR, served only to those entitled."""

from __future__ import annotations

import io
import os
import time

import pytest
import sqlalchemy as sa

from lms.core.db import db
from lms.practicum import files
from lms.practicum.models import Attachment, Report
from tests.practicum.helpers import GOOD_TEXTS, PDF, PNG, form_data, office_zip

UPLOAD = "/practicum/sample-track/report/attachments"
EDIT = "/practicum/sample-track/report"


def _upload(client, name: str, data: bytes):
    return client.post(UPLOAD, data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def _count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Attachment))


def _stored(storage) -> list:
    return [p for p in storage.rglob("*") if p.is_file()] if storage.exists() else []


def test_upload_download_and_headers(client, login, sample, storage):
    login(sample.trainee)
    response = _upload(client, "interview-notes.pdf", PDF)
    assert response.status_code == 302
    attachment = db.session.scalar(sa.select(Attachment))
    assert attachment.content_type == "application/pdf" and attachment.size == len(PDF)
    assert files.stored_path(storage, attachment.sha256).read_bytes() == PDF
    download = client.get(f"/practicum/attachments/{attachment.id}")
    assert download.status_code == 200
    assert download.data == PDF
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "interview-notes.pdf" in download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Type"] == "application/pdf"
    download.close()
    assert "interview-notes.pdf" in client.get(EDIT).get_data(as_text=True)


def test_content_not_matching_the_extension_is_refused(client, login, sample, storage):
    login(sample.trainee)
    response = _upload(client, "photo.png", PDF)
    assert response.status_code == 422
    assert "does not match its extension" in response.get_data(as_text=True)
    response = _upload(client, "report.pdf", b"MZ\x90\x00" + b"\x00" * 200)  # a Windows program named .pdf
    assert response.status_code == 422
    response = _upload(client, "slides.pptx", office_zip("docx"))  # a Word file named .pptx
    assert response.status_code == 422
    assert _count() == 0 and _stored(storage) == []


def test_disallowed_extension_and_empty_file_are_refused(client, login, sample, storage):
    login(sample.trainee)
    response = _upload(client, "script.html", b"<script>alert(1)</script>")
    assert response.status_code == 422 and "can be attached" in response.get_data(as_text=True)
    assert _upload(client, "empty.pdf", b"").status_code == 422
    assert client.post(UPLOAD, data={}, content_type="multipart/form-data").status_code == 400
    assert _count() == 0 and _stored(storage) == []


def test_oversized_file_is_refused(app, client, login, sample, storage):
    login(sample.trainee)
    app.config["LMS_PRACTICUM_MAX_ATTACHMENT_BYTES"] = 1024
    try:
        response = _upload(client, "big.pdf", PDF + b"0" * 2000)
    finally:
        app.config["LMS_PRACTICUM_MAX_ATTACHMENT_BYTES"] = 10 * 1024 * 1024
    assert response.status_code == 413
    assert "larger than the limit of 1 KB" in response.get_data(as_text=True)
    assert _count() == 0 and _stored(storage) == []
    assert db.session.scalar(sa.select(Report)) is None  # nothing written, not even an empty report


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [("map.png", PNG, "image/png"), ("plan.docx", office_zip("docx"), files.ALLOWED["docx"]),
     ("budget.xlsx", office_zip("xlsx"), files.ALLOWED["xlsx"]),
     ("pitch.pptx", office_zip("pptx"), files.ALLOWED["pptx"]),
     ("legacy.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "application/msword"),
     ("photo.JPG", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40, "image/jpeg")],
)
def test_allowed_types_are_recognised_by_content(name, data, content_type):
    assert files.check(name, data, 10_000).content_type == content_type


def test_attachment_access(client, login, sample, storage):
    login(sample.trainee)
    _upload(client, "notes.pdf", PDF)
    client.post(EDIT, data=form_data(GOOD_TEXTS, "submit"))
    attachment = db.session.scalar(sa.select(Attachment))
    url = f"/practicum/attachments/{attachment.id}"
    for user, expected in [(sample.grader, 200), (sample.admin, 200), (sample.outsider, 403), (sample.other, 403)]:
        client.post("/logout")
        login(user)
        response = client.get(url)
        response.close()
        assert response.status_code == expected, user.email
    client.post("/logout")
    assert client.get(url).status_code == 302  # anonymous: sign in first


def test_submitted_attachments_are_kept_with_their_version(client, login, sample, storage):
    login(sample.trainee)
    _upload(client, "v1.pdf", PDF)
    client.post(EDIT, data=form_data(GOOD_TEXTS, "submit"))
    attachment = db.session.scalar(sa.select(Attachment))
    # While under review nothing can be attached or removed.
    assert _upload(client, "late.png", PNG).status_code == 409
    assert client.post(f"{UPLOAD}/{attachment.id}/remove").status_code == 409
    client.post("/logout")
    login(sample.grader)
    report = db.session.scalar(sa.select(Report))
    client.post(f"/practicum/reports/{report.id}/grade", data={
        "score-diagnosis": "1", "score-strategy": "1", "score-action-plan": "1", "feedback": "More detail."})
    client.post("/logout")
    login(sample.trainee)
    assert client.post(f"{UPLOAD}/{attachment.id}/remove").status_code == 302
    kept = db.session.get(Attachment, attachment.id)
    assert kept.withdrawn and kept.submitted
    assert "v1.pdf" in client.get(f"/practicum/reports/{report.id}?version=1").get_data(as_text=True)
    assert "v1.pdf" not in client.get(EDIT).get_data(as_text=True)
    # A draft-only attachment is deleted outright.
    _upload(client, "draft.png", PNG)
    draft = db.session.scalar(sa.select(Attachment).where(Attachment.filename == "draft.png"))
    draft_id = draft.id
    assert client.post(f"{UPLOAD}/{draft_id}/remove").status_code == 302
    assert db.session.get(Attachment, draft_id) is None


def test_prune_removes_only_old_unreferenced_files(app, client, login, sample, storage):
    login(sample.trainee)
    assert _upload(client, "kept.pdf", PDF).status_code == 302
    assert _upload(client, "removed.png", PNG).status_code == 302
    removed = db.session.scalar(sa.select(Attachment).where(Attachment.filename == "removed.png"))
    removed_id, removed_sha = removed.id, removed.sha256
    assert client.post(f"{UPLOAD}/{removed_id}/remove").status_code == 302
    orphan = files.stored_path(storage, "ab" + "0" * 62)  # bytes whose transaction never committed
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(b"orphan")
    fresh = files.stored_path(storage, "cd" + "0" * 62)  # an upload that may still be committing
    fresh.parent.mkdir(parents=True, exist_ok=True)
    fresh.write_bytes(b"fresh")
    two_hours_ago = time.time() - 7200
    kept_path = files.stored_path(storage, db.session.scalar(
        sa.select(Attachment.sha256).where(Attachment.filename == "kept.pdf")))
    for path in (orphan, kept_path, files.stored_path(storage, removed_sha)):
        os.utime(path, (two_hours_ago, two_hours_ago))

    runner = app.test_cli_runner()
    dry = runner.invoke(args=["practicum", "prune-files", "--older-than", "1", "--dry-run"])
    assert dry.exit_code == 0 and "2 unreferenced file(s) found" in dry.output
    assert orphan.exists()
    result = runner.invoke(args=["practicum", "prune-files", "--older-than", "1"])
    assert result.exit_code == 0 and "2 unreferenced file(s) removed" in result.output
    assert sorted(p.name for p in _stored(storage)) == sorted([kept_path.name, fresh.name])
    assert runner.invoke(args=["practicum", "prune-files", "--older-than", "0.5"]).exit_code != 0
