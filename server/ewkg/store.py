"""The store: one interface, interchangeable backends.

Internal callers (linked-data pages, VoID, validation) use :class:`Store`'s small trusted API —
``select``, ``ask``, ``construct``, ``graph`` — which returns rdflib terms and graphs. The SPARQL
protocol layer (``ewkg.sparql``) runs client queries through its own bounded execution path.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol, runtime_checkable

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Identifier

from .namespaces import new_graph
from .resources import dataset_files

_OX_FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".n3": ox.RdfFormat.N3,
}


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> Identifier | None:
    """Convert a pyoxigraph term to the equal rdflib term."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == "http://www.w3.org/2001/XMLSchema#string":
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    raise TypeError(f"unsupported term: {term!r}")


def rdf_format_for(path: Path) -> ox.RdfFormat:
    """The pyoxigraph parser format for a file, by its extension."""
    try:
        return _OX_FORMATS[path.suffix.lower()]
    except KeyError:
        known = ", ".join(sorted(_OX_FORMATS))
        raise ValueError(f"{path}: unknown RDF file extension (known: {known})") from None


def files_version(paths: Iterable[Path]) -> str:
    """A short hash of the files' names and bytes: the dataset version (used for ETags)."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@runtime_checkable
class Store(Protocol):
    """What every backend offers to the rest of the package."""

    #: Hash of the loaded dataset; changes whenever the data does.
    version: str
    #: When the dataset was loaded (``Last-Modified``).
    loaded_at: datetime

    def __len__(self) -> int:
        """Number of triples (quads) in the store."""

    def select(self, query: str) -> list[dict[str, Identifier]]:
        """Run a trusted SELECT; rows map variable names to rdflib terms (unbound: absent)."""

    def ask(self, query: str) -> bool:
        """Run a trusted ASK."""

    def construct(self, query: str) -> Graph:
        """Run a trusted CONSTRUCT or DESCRIBE into an rdflib graph with the project prefixes."""

    def graph(self) -> Graph:
        """The whole dataset as one rdflib graph (for dumps and validation)."""


class EmbeddedStore:
    """An in-process pyoxigraph store, in memory or on disk (``path``)."""

    def __init__(self, files: Iterable[Path] | None = None, *, path: str | None = None) -> None:
        paths = list(dataset_files() if files is None else files)
        self._ox = ox.Store(path) if path else ox.Store()
        if path is None or len(self._ox) == 0:
            for p in paths:
                self._ox.bulk_load(path=str(p), format=rdf_format_for(p))
        self.files = paths
        self.version = files_version(paths) if paths else "empty"
        self.loaded_at = datetime.now(UTC).replace(microsecond=0)

    @property
    def oxigraph(self) -> ox.Store:
        """The underlying pyoxigraph store."""
        return self._ox

    def __len__(self) -> int:
        return len(self._ox)

    def select(self, query: str) -> list[dict[str, Identifier]]:
        solutions = self._ox.query(query, use_default_graph_as_union=True)
        names = [v.value for v in solutions.variables]
        return [
            {n: to_rdflib(s[n]) for n in names if s[n] is not None}  # type: ignore[misc]
            for s in solutions
        ]

    def ask(self, query: str) -> bool:
        return bool(self._ox.query(query, use_default_graph_as_union=True))

    def construct(self, query: str) -> Graph:
        g = new_graph()
        for t in self._ox.query(query, use_default_graph_as_union=True):
            g.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
        return g

    def graph(self) -> Graph:
        g = new_graph()
        for q in self._ox:
            g.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
        return g
