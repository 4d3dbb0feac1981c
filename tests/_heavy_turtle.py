"""A Turtle document that is cheap to send and expensive to validate: ``n`` new regions, each
missing its Chinese label and its provenance (several violations each), chained by parent."""

from __future__ import annotations


def heavy_turtle(n: int = 7000) -> bytes:
    """``n`` regions; 7,000 make about 0.9 MB, under the server's 1 MB body limit."""
    head = (
        "@prefix ewkg: <https://w3id.org/ewkg/ontology#> .\n"
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        "@prefix r: <https://w3id.org/ewkg/id/region/> .\n"
    )
    body = "".join(
        f"r:heavy-{i} a ewkg:PrefectureLevelCity, ewkg:WesternRegion ; "
        f'skos:prefLabel "Ville {i}"@fr ; ewkg:parentRegion r:heavy-{max(0, i - 1)} .\n'
        for i in range(n)
    )
    return (head + body).encode("utf-8")
