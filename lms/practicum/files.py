"""Attachment checks and storage: the type is found from the bytes (puremagic), not trusted from the name.

Files are stored under ``LMS_STORAGE_DIR`` (a folder every app server mounts, e.g. NFS or a shared volume),
content-addressed by SHA-256, written to a temporary name and renamed, so a reader never sees half a file.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import puremagic

#: Extension -> the media type we serve it as.
ALLOWED: dict[str, str] = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
}
_SAME = {"jpg": {"jpg", "jpeg", "jpe", "jfif"}, "jpeg": {"jpg", "jpeg", "jpe", "jfif"}}
#: Legacy Office files share one container (OLE2); its signature cannot tell them apart.
_OLE = {"doc", "xls", "ppt"}
#: Office Open XML: a ZIP whose members say which application wrote it.
_OOXML = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}
_ODF = {"odt", "ods", "odp"}


class FileRefused(ValueError):
    """``reason`` is one of: extension, mismatch, empty, size."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Checked:
    content_type: str
    sha256: str
    size: int


def extension(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def check(filename: str, data: bytes, limit: int) -> Checked:
    """Accept a file only if its extension is allowed and its bytes are what the extension says."""
    ext = extension(filename)
    if ext not in ALLOWED:
        raise FileRefused("extension")
    if not data:
        raise FileRefused("empty")
    if len(data) > limit:
        raise FileRefused("size")
    if not _content_matches(ext, data):
        raise FileRefused("mismatch")
    return Checked(ALLOWED[ext], hashlib.sha256(data).hexdigest(), len(data))


def _content_matches(ext: str, data: bytes) -> bool:
    if ext in _OOXML:
        return _zip_has(data, lambda names: "[Content_Types].xml" in names
                        and any(n.startswith(_OOXML[ext]) for n in names))
    if ext in _ODF:
        return _zip_has(data, lambda names: "mimetype" in names) and ALLOWED[ext].encode() in data[:200]
    try:
        found = {m.extension.lstrip(".").lower() for m in puremagic.magic_string(data)}
    except puremagic.PureError:
        return False
    if ext in _OLE:
        return bool(found & _OLE)
    return bool(found & _SAME.get(ext, {ext}))


def _zip_has(data: bytes, test: object) -> bool:
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return bool(test(set(archive.namelist())))  # type: ignore[operator]
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def stored_path(storage_dir: str | os.PathLike[str], sha256: str) -> Path:
    return Path(storage_dir) / "practicum" / sha256[:2] / sha256


def stored_files(storage_dir: str | os.PathLike[str]) -> list[Path]:
    """Every file ``stored_path`` names under ``storage_dir`` (their names are the contents' SHA-256)."""
    return [path for path in (Path(storage_dir) / "practicum").glob("??/*") if path.is_file()]


def store(storage_dir: str | os.PathLike[str], checked: Checked, data: bytes) -> Path:
    """Write the bytes once (identical files share one copy); atomic by rename."""
    path = stored_path(storage_dir, checked.sha256)
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
