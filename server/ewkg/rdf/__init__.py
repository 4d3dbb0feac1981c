"""RDF basics: the prefix table, the format table, JSON-LD, canonical Turtle, graph diffs."""
