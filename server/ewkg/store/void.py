"""The VoID + DCAT description of the served dataset, computed from the store.

:func:`void_graph` starts from the dataset resource of ``data/dataset.ttl`` (any ``void:Dataset``
or ``dcat:Dataset`` whose IRI is under ``…/id/dataset/``) when the data has one, copies its own
statements (title, description, licence, version, sources…), and adds what is computed from the
store: the triple, entity, class, property and distinct subject / object counts, one class
partition per class with its entity count, one ``void:subset`` per named graph (the graph IRI,
its triple count and, for a source's graph, ``dcterms:source`` the source), example resources
(one per kind of entity), the SPARQL endpoint, the data dumps as ``void:dataDump`` and as
``dcat:distribution`` with their media types.

Counts follow the VoID vocabulary: ``void:triples`` is the number of distinct triples,
``void:entities`` the number of distinct subject IRIs under ``void:uriSpace`` (the ``/id/`` base),
``void:classes`` the number of distinct ``rdf:type`` objects.
"""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, VOID, XSD

from ewkg import __version__
from ewkg.rdf.formats import graph_formats
from ewkg.rdf.namespaces import ID_BASE, ONTOLOGY_IRI, new_graph
from ewkg.store.embedded import Store
from ewkg.store.provenance import graph_source
from ewkg.strings import DATASET

#: The licence of the data when ``data/dataset.ttl`` names none (the project's licence).
DEFAULT_LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")
_IANA = "https://www.iana.org/assignments/media-types/"
#: ``dcat:version`` (DCAT 3; rdflib's closed DCAT namespace predates it).
DCAT_VERSION = URIRef(str(DCAT) + "version")

#: The dataset's title and description when ``data/dataset.ttl`` gives none, by language.
DEFAULT_TITLE = DATASET["title"]
DEFAULT_DESCRIPTION = DATASET["description"]

#: Suffix of dump files: ``/dataset.{ext}``.
DUMP_PATH = "dataset"


def dataset_iri(store: Store) -> URIRef | None:
    """The dataset resource described by the data (``/id/dataset/…``), if there is one."""
    rows = store.select(
        f"""SELECT ?d WHERE {{
              {{ ?d a <{VOID.Dataset}> }} UNION {{ ?d a <{DCAT.Dataset}> }}
              FILTER(STRSTARTS(STR(?d), "{ID_BASE}dataset/"))
            }} ORDER BY ?d LIMIT 1"""
    )
    found = rows[0]["d"] if rows else None
    return found if isinstance(found, URIRef) else None


def _count(store: Store, query: str) -> int:
    rows = store.select(query)
    return int(rows[0]["n"]) if rows and "n" in rows[0] else 0


def counts(store: Store) -> dict[str, int]:
    """The VoID statistics of the store (see the module docstring for their meaning)."""
    return {
        "triples": _count(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"),
        "entities": _count(
            store,
            f"""SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s ?p ?o
                FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{ID_BASE}")) }}""",
        ),
        "classes": _count(store, "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?s a ?c }"),
        "properties": _count(store, "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?s ?p ?o }"),
        "distinctSubjects": _count(store, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }"),
        "distinctObjects": _count(store, "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s ?p ?o }"),
    }


def class_partitions(store: Store) -> list[tuple[URIRef, int]]:
    """``(class, number of distinct instances)`` for every class, most instances first."""
    rows = store.select(
        """SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c FILTER(isIRI(?c)) }
           GROUP BY ?c ORDER BY DESC(?n) ?c"""
    )
    return [(URIRef(r["c"]), int(r["n"])) for r in rows]


def named_graphs(store: Store) -> list[tuple[URIRef, int]]:
    """``(graph, number of triples)`` for every named graph, in IRI order: the ontology, the
    source document, each cited source (``…/graph/source/{slug}``), the reference tables' own
    curation, the inferred triples."""
    rows = store.select(
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
    )
    return [(r["g"], int(r["n"])) for r in rows if isinstance(r.get("g"), URIRef)]  # type: ignore[misc]


def example_resources(store: Store) -> list[URIRef]:
    """One entity per kind (``/id/{kind}/…``): the first IRI of each kind."""
    rows = store.select(
        f"""SELECT ?s WHERE {{ ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{ID_BASE}")) }}
            GROUP BY ?s ORDER BY ?s"""
    )
    seen: dict[str, URIRef] = {}
    for row in rows:
        iri = str(row["s"])
        kind = iri[len(ID_BASE):].split("/", 1)[0]
        if kind != "dataset" and "/" in iri[len(ID_BASE):]:
            seen.setdefault(kind, URIRef(row["s"]))
    return list(seen.values())


def void_graph(store: Store, base_url: str) -> Graph:
    """The VoID + DCAT description of ``store``'s dataset, served from ``base_url``.

    Args:
        store: the store whose dataset is described.
        base_url: the server's root URL (``http://host:port/``); the SPARQL endpoint, the dumps
            and the description's own address are under it.
    """
    base = base_url.rstrip("/") + "/"
    g = new_graph()
    ds = dataset_iri(store)
    if ds is not None:
        for p, o in store.construct(f"CONSTRUCT {{ <{ds}> ?p ?o }} WHERE {{ <{ds}> ?p ?o }}")\
                .predicate_objects(URIRef(ds)):
            g.add((ds, p, o))
    else:
        ds = URIRef(ID_BASE + "dataset/ewkg")
    g.add((ds, RDF.type, VOID.Dataset))
    g.add((ds, RDF.type, DCAT.Dataset))
    for prop, texts in ((DCTERMS.title, DEFAULT_TITLE), (DCTERMS.description, DEFAULT_DESCRIPTION)):
        have = {o.language for o in g.objects(ds, prop) if isinstance(o, Literal)}
        for lang, text in texts.items():
            if lang not in have:
                g.add((ds, prop, Literal(text, lang=lang)))
    if g.value(ds, DCTERMS.license) is None:
        g.add((ds, DCTERMS.license, DEFAULT_LICENSE))
    if g.value(ds, DCAT_VERSION) is None and g.value(ds, OWL.versionInfo) is None:
        g.add((ds, DCAT_VERSION, Literal(__version__)))
    g.add((ds, DCTERMS.identifier, Literal(store.version)))
    g.add((ds, DCTERMS.modified, Literal(store.loaded_at.isoformat(), datatype=XSD.dateTime)))

    description = URIRef(base + ".well-known/void")
    g.add((description, RDF.type, VOID.DatasetDescription))
    g.add((description, FOAF.primaryTopic, ds))
    for lang, text in DATASET["void_title"].items():
        g.add((description, DCTERMS.title, Literal(text, lang=lang)))

    stats = counts(store)
    for name, value in stats.items():
        g.add((ds, VOID[name], Literal(value, datatype=XSD.integer)))
    g.add((ds, VOID.uriSpace, Literal(ID_BASE)))
    g.add((ds, VOID.vocabulary, URIRef(ONTOLOGY_IRI)))
    g.add((ds, VOID.rootResource, URIRef(ONTOLOGY_IRI)))
    for cls, n in class_partitions(store):
        part = BNode()
        g.add((ds, VOID.classPartition, part))
        g.add((part, VOID["class"], cls))
        g.add((part, VOID.entities, Literal(n, datatype=XSD.integer)))
    for graph, n in named_graphs(store):  # one subset per named graph: who states what
        g.add((ds, VOID.subset, graph))
        g.add((graph, RDF.type, VOID.Dataset))
        g.add((graph, VOID.triples, Literal(n, datatype=XSD.integer)))
        if (source := graph_source(str(graph))) is not None:
            g.add((graph, DCTERMS.source, URIRef(source)))
    for example in example_resources(store):
        g.add((ds, VOID.exampleResource, example))

    endpoint = URIRef(base + "sparql")
    g.add((ds, VOID.sparqlEndpoint, endpoint))
    service = URIRef(base + "sparql#service")
    g.add((service, RDF.type, DCAT.DataService))
    g.add((service, DCAT.endpointURL, endpoint))
    g.add((service, DCAT.servesDataset, ds))
    g.add((service, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-protocol/")))
    g.add((ds, DCAT.accessService, service))
    g.add((ds, DCAT.landingPage, URIRef(base)))

    for fmt in graph_formats():
        dump = URIRef(f"{base}{DUMP_PATH}.{fmt.extension}")
        g.add((ds, VOID.dataDump, dump))
        dist = URIRef(f"{base}{DUMP_PATH}.{fmt.extension}#distribution")
        g.add((ds, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCAT.downloadURL, dump))
        g.add((dist, DCAT.accessURL, dump))
        g.add((dist, DCAT.mediaType, URIRef(_IANA + fmt.media_type)))
        g.add((dist, DCTERMS.format, URIRef(fmt.w3c_iri)))
        g.add((dist, DCTERMS.license, g.value(ds, DCTERMS.license) or DEFAULT_LICENSE))
        for lang, text in DATASET["dump_title"].items():
            g.add((dist, DCTERMS.title, Literal(text.format(format=fmt.name), lang=lang)))
    return g
