"""SHACL validation: shapes compiled to SPARQL, reports located to file:line, killable validation
processes."""
