"""SPARQL evaluation: the safety scan, the request/response contract, killable query processes,
result reuse, the text functions. It knows nothing of where the data comes from."""
