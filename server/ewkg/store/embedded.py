"""The store: one interface, interchangeable backends.

Internal callers (linked-data pages, VoID, validation) use :class:`Store`'s small trusted API —
``select``, ``ask``, ``construct``, ``graph`` — which returns rdflib terms and graphs. Client
queries from the SPARQL protocol layer go through :mod:`ewkg.query.executor` instead: bounded in
time (a killable worker process) and in size.

Backends (chosen by :func:`ewkg.store.backends.open_store` from ``Config.store``):

* ``memory`` — the bundled files loaded into an in-memory pyoxigraph store (the default);
* ``oxigraph:PATH`` — a persistent on-disk pyoxigraph store, loaded once and reopened read-only
  while the files are unchanged (see :class:`EmbeddedStore`);
* ``http(s)://…/sparql`` — a remote SPARQL 1.1 endpoint (:class:`ewkg.store.remote.RemoteStore`).

Named graphs, one per source (:func:`graph_for`): the ontology in :data:`ONTOLOGY_GRAPH`, the
source document's facts (``data/{kind}.ttl``) in :data:`SEED_GRAPH`, the reference facts
(``data/ref-{kind}.ttl``) each in the graph of the public source that states it,
``…/graph/source/{slug}`` (split at load by :func:`ewkg.store.provenance.split_by_source`; what no
cited source states stays in :data:`REFERENCE_GRAPH`), any other file in :data:`DATA_GRAPH`, and
the triples the ontology entails in :data:`~ewkg.store.entailment.INFERRED_GRAPH` (computed at load
by :func:`ewkg.store.entailment.materialise`). Every query sees their union as its default graph
unless the client names graphs (``default-graph-uri`` / ``named-graph-uri``).
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import hashlib
import json
import logging
import os
import shutil
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol, overload, runtime_checkable

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Identifier, Node

from ewkg.rdf import formats
from ewkg.rdf.namespaces import new_graph
from ewkg.resources import bundle_dir, dataset_files
from ewkg.store.entailment import INFERRED_GRAPH, materialise, query_solutions, query_triples
from ewkg.store.provenance import REFERENCE_GRAPH, SEED_GRAPH, split_by_source

_log = logging.getLogger(__name__)

#: Named graph holding the ontology files (``ontology/*.ttl``).
ONTOLOGY_GRAPH = "https://w3id.org/ewkg/graph/ontology"
#: Named graph holding any other file (the files given with ``--data``).
DATA_GRAPH = "https://w3id.org/ewkg/graph/data"
#: The graphs every store may hold, besides one per cited source (``…/graph/source/{slug}``,
#: :func:`ewkg.store.provenance.source_graph`); a TriG or N-Quads file given with ``--data`` may add
#: others.
GRAPHS: tuple[str, ...] = (ONTOLOGY_GRAPH, SEED_GRAPH, REFERENCE_GRAPH, DATA_GRAPH, INFERRED_GRAPH)

#: Datasets up to this size are parsed in memory, then written to disk in one bulk write.
STAGE_IN_MEMORY_BYTES = 64 * 1024 * 1024
#: File recording, inside an on-disk store's directory, the dataset version it holds.
VERSION_FILE = "ewkg-version"
#: Written beside the version marker: the number of quads, so a reopen need not count them.
COUNT_FILE = "ewkg-count"
#: In an on-disk store's root: the version remembered against the files' sizes and times.
MEMO_FILE = "ewkg-files.json"
#: How files become the served dataset: which named graph each triple goes to
#: (:mod:`ewkg.store.provenance`) and what is entailed (:mod:`ewkg.store.entailment`). It is part
#: of the dataset version, so an on-disk store loaded by code that laid the data out differently
#: is rebuilt, and ETags change with it. Change it whenever that layout changes.
LAYOUT = "2026-12-04 source graphs"
#: Written, inside a loaded store's directory, after a complete load and before the version
#: marker: the name, size and SHA-256 of every RocksDB file, checked each time it is reopened.
MANIFEST_FILE = "ewkg-manifest.json"
#: RocksDB files that change without the data changing (its info log, its lock), not checked.
_UNCHECKED = ("LOG", "LOCK")


class StoreError(OSError):
    """An on-disk store that cannot be opened (damaged, unreadable): the message is one line
    that names the store and says what to do."""


def store_manifest(location: Path) -> dict[str, list[int | str]]:
    """``{name: [size, sha256]}`` of the RocksDB files of the store at ``location``."""
    manifest: dict[str, list[int | str]] = {}
    for path in sorted(location.iterdir()):
        if path.name.startswith(("ewkg-", *_UNCHECKED)) or not path.is_file():
            continue
        with open(path, "rb") as handle:
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
        manifest[path.name] = [path.stat().st_size, digest]
    return manifest


def verify_store(location: Path) -> str | None:
    """Why the store at ``location`` cannot be trusted, or ``None`` if every file has the size
    and checksum recorded after its load (a file list that matches is not enough: a flipped
    byte in a table file keeps the list and only fails the checksum)."""
    try:
        recorded = json.loads((location / MANIFEST_FILE).read_text())
    except FileNotFoundError:
        return "it has no checksum manifest (an interrupted load, or an older ewkg)"
    except (OSError, ValueError) as error:
        return f"its checksum manifest is unreadable ({error})"
    try:
        found = store_manifest(location)
    except OSError as error:
        return f"its files cannot be read ({error})"
    if not isinstance(recorded, dict) or recorded.get("files") != found:
        files = recorded.get("files") if isinstance(recorded, dict) else None
        files = files if isinstance(files, dict) else {}
        changed = sorted(set(files) ^ set(found) | {n for n in found if files.get(n) != found[n]})
        return f"its files fail their checksums ({', '.join(changed[:3]) or 'manifest'})"
    return None


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split())


#: A pyoxigraph term as triples hold them (RDF 1.2 quoted triples are not used here).
OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal
#: An rdflib term as graphs hold them.
RdfTerm = URIRef | BNode | Literal


def oxigraph_term(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """Convert an rdflib term to the equal pyoxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"unsupported term: {term!r}")


def oxigraph_subject(term: Node) -> ox.NamedNode | ox.BlankNode:
    """Convert an rdflib subject (an IRI or a blank node) to the equal pyoxigraph term.

    Raises:
        TypeError: ``term`` is a literal or another kind of node.
    """
    converted = oxigraph_term(term)
    if isinstance(converted, ox.Literal):
        raise TypeError(f"a literal cannot be a subject: {term!r}")
    return converted


def oxigraph_predicate(term: Node) -> ox.NamedNode:
    """Convert an rdflib predicate (an IRI) to the equal pyoxigraph term.

    Raises:
        TypeError: ``term`` is not an IRI.
    """
    converted = oxigraph_term(term)
    if not isinstance(converted, ox.NamedNode):
        raise TypeError(f"a predicate must be an IRI: {term!r}")
    return converted


@overload
def to_rdflib(term: OxTerm | ox.Triple) -> RdfTerm: ...
@overload
def to_rdflib(term: None) -> None: ...
def to_rdflib(term: OxTerm | ox.Triple | None) -> RdfTerm | None:
    """Convert a pyoxigraph term to the equal rdflib term (a quoted triple is refused)."""
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
    fmt = formats.by_suffix(path.suffix, formats.graph_formats(readable=True))
    if fmt is None:
        known = ", ".join(sorted(formats.suffixes(formats.graph_formats(readable=True))))
        raise ValueError(f"{path}: unknown RDF file extension (known: {known})")
    return fmt.rdf


def graph_for(path: Path) -> str:
    """The named graph a triple file is loaded into, by the folder and name of the file.

    ``…/ontology/*`` → :data:`ONTOLOGY_GRAPH`; in the bundled ``data/`` folder, ``ref-*`` →
    :data:`REFERENCE_GRAPH` (where :func:`ewkg.store.provenance.split_by_source` then moves each
    triple to the graph of the source stating it) and the others → :data:`SEED_GRAPH`;
    anything else (files given with ``--data``) → :data:`DATA_GRAPH`.

    >>> graph_for(bundle_dir("data") / "ref-region.ttl").rsplit("/", 1)[1]
    'reference'
    """
    if path.parent.name == "ontology":
        return ONTOLOGY_GRAPH
    if path.parent.resolve() == bundle_dir("data").resolve():
        return REFERENCE_GRAPH if path.name.startswith("ref-") else SEED_GRAPH
    return DATA_GRAPH


def files_version(paths: Iterable[Path], *, memo: Path | None = None) -> str:
    """A short hash of the :data:`LAYOUT` and the files' names and bytes: the dataset version
    (used for ETags, and to name an on-disk store).

    With ``memo`` (a JSON file), the hash is remembered against the layout and the files' paths,
    sizes and modification times, so reopening an on-disk store does not re-read a large dataset.
    """
    paths = list(paths)
    signature = [[str(p.resolve()), p.stat().st_size, p.stat().st_mtime_ns] for p in paths]
    if memo is not None:
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
            remembered = json.loads(memo.read_text())
            if remembered["files"] == signature and remembered.get("layout") == LAYOUT:
                return str(remembered["version"])
    digest = hashlib.sha256(LAYOUT.encode())
    for path in paths:
        digest.update(path.name.encode())
        with open(path, "rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
    version = digest.hexdigest()[:16]
    if memo is not None:
        with contextlib.suppress(OSError):
            tmp = memo.with_suffix(".tmp")
            tmp.write_text(json.dumps({"files": signature, "layout": LAYOUT,
                                       "version": version}))
            os.replace(tmp, memo)
    return version


def load_files(store: ox.Store, paths: Iterable[Path], *, bulk: bool = False) -> None:
    """Load ``paths`` into ``store``, each triple file into its :func:`graph_for` graph, move
    each reference triple to its source's graph (:func:`ewkg.store.provenance.split_by_source`),
    then add the triples the ontology entails (:func:`ewkg.store.entailment.materialise`).

    ``bulk`` uses pyoxigraph's bulk loader (no transaction: for a fresh on-disk store); the
    plain loader is faster in memory.

    Raises:
        ValueError: a file has an unknown extension or does not parse; the message names the
            file, line and column.
        FileNotFoundError: a file is missing.
    """
    for path in paths:
        fmt = rdf_format_for(path)
        to_graph = None if fmt.supports_datasets else ox.NamedNode(graph_for(path))
        try:
            loader = store.bulk_load if bulk else store.load
            loader(path=str(path), format=fmt, to_graph=to_graph)
        except SyntaxError as error:
            line = f":{error.lineno}" if error.lineno else ""
            raise ValueError(f"{path}{line}: {error.msg}") from None
    split_by_source(store)  # each reference triple in the graph of the source stating it
    materialise(store)  # the ontology's subclass/subproperty closure, in its own graph


def solution_rows(result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples) -> list[
    dict[str, Identifier]
]:
    """The rows of a SELECT result as rdflib terms (unbound variables absent).

    Raises:
        TypeError: ``result`` is not a SELECT result.
    """
    solutions = query_solutions(result)
    names = [v.value for v in solutions.variables]
    return [{n: to_rdflib(term) for n in names if (term := s[n]) is not None} for s in solutions]


@runtime_checkable
class Store(Protocol):
    """What every backend offers to the rest of the package."""

    #: Hash of the loaded dataset; changes whenever the data does.
    version: str
    #: When the dataset was loaded (``Last-Modified``).
    loaded_at: datetime
    #: Capability: the data may change behind the server's back (a remote endpoint), so its
    #: answers are cached for a limited time only and never replayed by the fast path.
    changes_outside: bool

    @property
    def oxigraph(self) -> ox.Store | None:
        """Capability: the pyoxigraph store holding the data in this process (its query
        processes fork from it), or ``None`` when the data lives elsewhere."""

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


@contextlib.contextmanager
def _locked(lock_path: Path) -> Iterator[None]:
    """An exclusive inter-process lock (several gunicorn workers may open the same store)."""
    with open(lock_path, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _open_on_disk(root: Path, paths: list[Path], version: str) -> tuple[ox.Store, Path, bool]:
    """Open (loading it first if needed) the read-only store of ``version`` under ``root``.

    Layout: ``root/ewkg-<version>/`` is one loaded store, with the checksum manifest
    (``ewkg-manifest.json``) then ``ewkg-version`` written last (so a directory without it is an
    interrupted load). A reopened store is trusted only if every file matches the manifest;
    otherwise it is rebuilt from ``paths`` (with a warning). Other versions' directories are
    removed once the new one is complete. Returns the store, its directory and whether it was
    loaded now.

    Raises:
        StoreError: the store cannot be built or opened (one line naming ``root``).
    """
    root.mkdir(parents=True, exist_ok=True)
    foreign = [p for p in root.iterdir() if not p.name.startswith("ewkg-")]
    if foreign:
        raise ValueError(
            f"{root}: not an ewkg store directory (it holds {foreign[0].name}); "
            "give an empty or new directory"
        )
    location = root / f"ewkg-{version}"
    loaded = False
    try:
        with _locked(root / "ewkg-lock"):
            marker = location / VERSION_FILE
            fresh = not (marker.is_file() and marker.read_text().strip() == version)
            damage = None if fresh else verify_store(location)
            if damage is not None:
                _log.warning("the on-disk store %s is rebuilt from its data: %s", root, damage)
            if fresh or damage is not None:
                _load_on_disk(root, location, paths, version)
                loaded = True
        return ox.Store.read_only(str(location)), location, loaded
    except RuntimeError as error:  # RocksDB's errors (corruption, I/O) reach Python as these
        raise StoreError(
            f"the on-disk store {root} cannot be opened: {_one_line(error)}; "
            f"delete {root} to rebuild it from --data"
        ) from None
    except OSError as error:
        if isinstance(error, StoreError):
            raise
        raise StoreError(
            f"the on-disk store {root} cannot be opened: {_one_line(error)}; check its "
            f"permissions and free space, or delete {root} to rebuild it from --data"
        ) from None


def _load_on_disk(root: Path, location: Path, paths: list[Path], version: str) -> None:
    """Load ``paths`` into a new store at ``location`` (under the lock), record its checksums,
    then its version; remove the other versions."""
    shutil.rmtree(location, ignore_errors=True)
    writer = ox.Store(str(location))
    if sum(p.stat().st_size for p in paths) <= STAGE_IN_MEMORY_BYTES:
        staged = ox.Store()  # one bulk write of many small files is ~10x faster
        load_files(staged, paths)
        writer.bulk_extend(staged)
    else:
        load_files(writer, paths, bulk=True)
    writer.flush()
    (location / COUNT_FILE).write_text(f"{len(writer)}\n")
    del writer
    gc.collect()  # close RocksDB before anyone opens it read-only
    for name, text in (
        (MANIFEST_FILE, json.dumps({"files": store_manifest(location)})),
        (VERSION_FILE, version + "\n"),
    ):
        tmp = location / (name + ".tmp")
        tmp.write_text(text)
        os.replace(tmp, location / name)
    for stale in root.iterdir():
        if stale.is_dir() and stale != location:
            shutil.rmtree(stale, ignore_errors=True)


class EmbeddedStore:
    """An in-process pyoxigraph store, in memory or on disk (``path``).

    On disk, the files are loaded once into ``path/ewkg-<version>/``; later opens with unchanged
    files reopen that directory read-only in milliseconds, and changed files trigger a reload.

    Args:
        files: RDF files to load (default: the bundled ontology and data).
        path: directory of the on-disk store; ``None`` keeps the store in memory.
    """

    def __init__(self, files: Iterable[Path] | None = None, *, path: str | None = None) -> None:
        paths = [Path(p) for p in (dataset_files() if files is None else files)]
        for p in paths:
            rdf_format_for(p)  # refuse unknown extensions before loading anything
        self.files = paths
        memo = None
        if path:
            Path(path).mkdir(parents=True, exist_ok=True)
            memo = Path(path) / MEMO_FILE
        self.version = files_version(paths, memo=memo) if paths else "empty"
        self._count: int | None = None
        #: Directory of the on-disk store (``None`` in memory).
        self.location: Path | None = None
        #: Whether this open loaded the files (``False``: an on-disk store was reopened).
        self.loaded = True
        if path:
            self._ox, self.location, self.loaded = _open_on_disk(Path(path), paths, self.version)
            count_file = self.location / COUNT_FILE
            with contextlib.suppress(OSError, ValueError):
                self._count = int(count_file.read_text())
            if self._count is None:  # a store loaded by an older ewkg: count once, remember
                with contextlib.suppress(OSError):
                    count_file.write_text(f"{len(self)}\n")
        else:
            self._ox = ox.Store()
            load_files(self._ox, paths)
        self.loaded_at = datetime.now(UTC).replace(microsecond=0)

    #: The data changes only when the server reloads it (a new :attr:`version`).
    changes_outside = False

    @property
    def oxigraph(self) -> ox.Store:
        """The underlying pyoxigraph store."""
        return self._ox

    def worker_store(self) -> ox.Store:
        """The pyoxigraph store a forked worker process should query.

        In memory, the inherited store itself (shared copy-on-write after ``fork``); on disk, a
        fresh read-only handle (a RocksDB handle is not shared across ``fork``).
        """
        if self.location is None:
            return self._ox
        return ox.Store.read_only(str(self.location))

    def __len__(self) -> int:
        if self._count is None:  # read-only data: count once
            self._count = len(self._ox)
        return self._count

    def select(self, query: str) -> list[dict[str, Identifier]]:
        return solution_rows(self._ox.query(query, use_default_graph_as_union=True))

    def ask(self, query: str) -> bool:
        return bool(self._ox.query(query, use_default_graph_as_union=True))

    def construct(self, query: str) -> Graph:
        g = new_graph()
        for t in query_triples(self._ox.query(query, use_default_graph_as_union=True)):
            g.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
        return g

    def graph(self) -> Graph:
        g = new_graph()
        for q in self._ox:
            g.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
        return g
