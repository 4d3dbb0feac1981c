"""THE prefix table: every namespace the project writes, binds or parses with.

Build graphs with ``bind_namespaces="none"`` and call :func:`bind_all` so that every serialization
uses the same prefixes.
"""

from __future__ import annotations

from rdflib import Graph, Namespace
from rdflib.namespace import (
    DCAT,
    DCTERMS,
    OWL,
    PROV,
    RDF,
    RDFS,
    SH,
    SKOS,
    VOID,
    XSD,
    DefinedNamespace,
)

EWKG = Namespace("https://w3id.org/ewkg/ontology#")
ID = Namespace("https://w3id.org/ewkg/id/")
EWKGSH = Namespace("https://w3id.org/ewkg/shapes#")
GEO = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
GSP = Namespace("http://www.opengis.net/ont/geosparql#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
WD = Namespace("http://www.wikidata.org/entity/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
SCHEMA = Namespace("https://schema.org/")

ONTOLOGY_IRI = "https://w3id.org/ewkg/ontology"
ID_BASE = str(ID)

#: Prefix → namespace (rdflib's closed vocabularies are ``DefinedNamespace`` classes).
PREFIXES: dict[str, Namespace | type[DefinedNamespace]] = {
    "ewkg": EWKG,
    "ewkgsh": EWKGSH,
    "dcat": DCAT,
    "dcterms": DCTERMS,
    "foaf": FOAF,
    "geo": GEO,
    "gsp": GSP,
    "owl": OWL,
    "prov": PROV,
    "rdf": RDF,
    "rdfs": RDFS,
    "schema": SCHEMA,
    "sd": SD,
    "sh": SH,
    "skos": SKOS,
    "void": VOID,
    "wd": WD,
    "xsd": XSD,
}


def bind_all(graph: Graph) -> Graph:
    """Bind every prefix of :data:`PREFIXES` on ``graph`` and return it."""
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


def new_graph() -> Graph:
    """Return an empty graph carrying exactly the project's prefixes."""
    return bind_all(Graph(bind_namespaces="none"))


def sparql_prologue() -> str:
    """``PREFIX`` lines for every namespace, to prepend to example queries."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
