"""The hook through which the certification feature tells the catalogue which courses a track requires.

Curriculum does not import certification (arrows point one way); certification registers a provider in its
``init_app``: ``register_track_provider(app, provider)`` where ``provider.tracks()`` returns
``[(slug, label), ...]`` and ``provider.course_slugs(track_slug)`` returns the set of required course slugs,
or None for an unknown track.
"""

from __future__ import annotations

from typing import Protocol

from flask import Flask, current_app


class TrackProvider(Protocol):
    def tracks(self) -> list[tuple[str, str]]: ...

    def course_slugs(self, track_slug: str) -> set[str] | None: ...


def register_track_provider(app: Flask, provider: TrackProvider) -> None:
    app.extensions["lms_track_provider"] = provider


def provider() -> TrackProvider | None:
    return current_app.extensions.get("lms_track_provider")
