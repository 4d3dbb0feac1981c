"""The SPARQL 1.1 Service Description of the endpoint (``GET /sparql`` without a query).

It states the endpoint, the language (SPARQL 1.1 Query only: the endpoint is read-only), the
result and graph formats from the format table, the union default graph and the named graphs
it is the union of (one per source: see :mod:`ewkg.store.provenance`), the extension function
``ewkg:textMatch`` (the text search from SPARQL), and links the default
dataset to its VoID / DCAT description at ``/.well-known/void`` (built by :mod:`ewkg.store.void`).
The service node is ``{base}sparql#service``, the same node the VoID description calls the
dataset's ``dcat:DataService``.
"""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, VOID, XSD

from ewkg.query.text_sparql import TEXT_MATCH
from ewkg.rdf.formats import FORMATS
from ewkg.rdf.namespaces import ID_BASE, SD, new_graph
from ewkg.store.embedded import Store
from ewkg.store.provenance import GRAPH_BASE, graph_source


def _dataset_iri(store: Store) -> URIRef:
    try:
        from ewkg.store.void import dataset_iri
    except ImportError:  # pragma: no cover - the VoID module ships with the package
        return URIRef(ID_BASE + "dataset/ewkg")
    return dataset_iri(store) or URIRef(ID_BASE + "dataset/ewkg")


def named_graphs(store: Store) -> list[tuple[URIRef, int]]:
    """The named graphs and their sizes (:func:`ewkg.store.void.named_graphs`)."""
    from ewkg.store.void import named_graphs as of_store

    return of_store(store)


def service_description(store: Store, *, endpoint: str, base_url: str) -> Graph:
    """The description of the endpoint at ``endpoint`` on a server rooted at ``base_url``."""
    base = base_url.rstrip("/") + "/"
    g = new_graph()
    service = URIRef(base + "sparql#service")
    g.add((service, RDF.type, SD.Service))
    g.add((service, SD.endpoint, URIRef(endpoint)))
    g.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    g.add((service, SD.feature, SD.UnionDefaultGraph))
    # the text search of /search, as a filter function (ewkg.query.text_sparql)
    text_match = URIRef(TEXT_MATCH)
    g.add((service, SD.extensionFunction, text_match))
    g.add((text_match, RDF.type, SD.Function))
    for lang, text in (
        ("fr", "ewkg:textMatch(?texte, \"requête\") : vrai si le littéral répond à la recherche "
               "plein texte de /search (accents, formes des mots, chinois simplifié ou "
               "traditionnel, pinyin)"),
        ("zh", "ewkg:textMatch(?文本, \"查询\")：字面量与 /search 的全文检索相匹配时为真"
               "（重音、词形、简繁体、拼音均可）"),
    ):
        g.add((text_match, RDFS.comment, Literal(text, lang=lang)))
    for fmt in FORMATS:
        g.add((service, SD.resultFormat, URIRef(fmt.w3c_iri)))
    for lang, text in (
        ("fr", "Point d’accès SPARQL 1.1 (lecture seule) du graphe Est-Ouest"),
        ("zh", "东西部扶贫协作知识图谱的 SPARQL 1.1 查询端点（只读）"),
    ):
        g.add((service, DCTERMS.title, Literal(text, lang=lang)))
    g.add((service, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-protocol/")))

    dataset = _dataset_iri(store)
    g.add((service, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    g.add((dataset, RDF.type, VOID.Dataset))
    void_doc = URIRef(base + ".well-known/void")
    g.add((dataset, RDFS.seeAlso, void_doc))
    g.add((dataset, VOID.sparqlEndpoint, URIRef(endpoint)))
    default_graph = BNode()
    g.add((dataset, SD.defaultGraph, default_graph))
    g.add((default_graph, RDF.type, SD.Graph))
    g.add((default_graph, VOID.triples, Literal(len(store), datatype=XSD.integer)))
    for i, (graph, n) in enumerate(named_graphs(store)):  # the default graph is their union
        # nodes with IRIs, not blank nodes: the description's bytes stay the same every time
        key = graph.removeprefix(GRAPH_BASE).replace("/", "-") if graph.startswith(
            GRAPH_BASE) else str(i)
        named = URIRef(f"{base}sparql#named-graph-{key}")
        g.add((dataset, SD.namedGraph, named))
        g.add((named, RDF.type, SD.NamedGraph))
        g.add((named, SD.name, graph))
        described = URIRef(f"{base}sparql#graph-{key}")
        g.add((named, SD.graph, described))
        g.add((described, RDF.type, SD.Graph))
        g.add((described, VOID.triples, Literal(n, datatype=XSD.integer)))
        if (source := graph_source(str(graph))) is not None:
            g.add((described, DCTERMS.source, URIRef(source)))
    return g
