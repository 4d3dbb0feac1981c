"""Where the bundled ontology, data, shapes and queries live.

In an installed wheel they sit in ``ewkg/_bundle/``; in a source checkout (editable install) they
are the repository's top-level folders.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
_BUNDLE = PACKAGE_DIR / "_bundle"
_CHECKOUT = PACKAGE_DIR.parent.parent


def _root() -> Path:
    if (_BUNDLE / "ontology").is_dir():
        return _BUNDLE
    return _CHECKOUT


def bundle_dir(name: str) -> Path:
    """Folder ``name`` (``ontology``, ``data``, ``shapes`` or ``queries``) of the bundle."""
    if name not in {"ontology", "data", "shapes", "queries"}:
        raise ValueError(f"unknown bundle folder: {name!r}")
    return _root() / name


def turtle_files(name: str) -> list[Path]:
    """Sorted Turtle files of bundle folder ``name``."""
    return sorted(bundle_dir(name).glob("*.ttl"))


def dataset_files() -> list[Path]:
    """The files of the served dataset: the ontology, then the data."""
    return turtle_files("ontology") + turtle_files("data")


def shapes_files() -> list[Path]:
    """The SHACL shapes files."""
    return turtle_files("shapes")


def query_files() -> list[Path]:
    """The competency queries, ``queries/NN-slug.rq``, in order."""
    return sorted(bundle_dir("queries").glob("*.rq"))
