"""Linked data: entity pages and RDF at ``/id/…``, the ontology, dumps and VoID (being written)."""

from __future__ import annotations

from flask import Flask

from . import i18n


def init_app(app: Flask) -> None:
    """Attach the linked-data part: the page language picker and the shared page frame."""
    i18n.init_app(app)
