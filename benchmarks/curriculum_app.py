"""The app the curriculum benchmark serves under gunicorn: the real app plus a bare one-query page."""

from __future__ import annotations

import os

import sqlalchemy as sa
from flask import render_template_string

from lms import create_app
from lms.core.access import public
from lms.core.db import db

app = create_app(
    {
        "SQLALCHEMY_DATABASE_URI": os.environ["BENCH_DATABASE_URL"],
        "SECRET_KEY": "benchmark-secret-key-benchmark-secret-key",
        "WTF_CSRF_ENABLED": False,
        "LMS_FAST_PASSWORD_HASH": True,
    }
)


@public
def bare() -> str:
    count = db.session.scalar(sa.select(sa.func.count()).select_from(sa.table("courses")))
    return render_template_string("<!doctype html><title>bare</title><p>{{ n }} courses</p>", n=count)


app.add_url_rule("/bench/bare", "bench_bare", bare)
