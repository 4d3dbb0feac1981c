"""The Flask app and the layers in front of it: the SPARQL protocol, linked data, pages, the map,
search, validation over HTTP, and the server processes."""
