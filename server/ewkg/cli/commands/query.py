"""``ewkg query``: run one SPARQL query on the local store and print the result."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ewkg.rdf import formats
from ewkg.web.services import find_executor

_SHELL_ACCEPT = (
    "text/tab-separated-values, application/sparql-results+json;q=0.9, text/turtle;q=0.9"
)


def read_query(argument: str) -> str:
    """The query text: ``-`` reads stdin, ``@file.rq`` reads a file, anything else is the query."""
    if argument == "-":
        return sys.stdin.read()
    if argument.startswith("@"):
        path = Path(argument[1:])
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise click.BadParameter(f"cannot read {path}: {e}", param_hint="QUERY") from None
    return argument


@click.command(
    epilog="""\b
Examples:
  ewkg query 'SELECT * WHERE { ?s ?p ?o } LIMIT 3'
  ewkg query @queries/01-fujian-assists.rq --format csv
  echo 'ASK { ?s a ?c }' | ewkg query -
  ewkg query 'CONSTRUCT WHERE { ?s ?p ?o } LIMIT 5' --format jsonld --data my.ttl

\b
Without --format: TSV for SELECT, SPARQL JSON for ASK, Turtle for CONSTRUCT and DESCRIBE.
Exit codes: 0 success; 1 the query failed (malformed, refused, timed out); 2 usage error or
unreadable input (a missing file, broken Turtle).
"""
)
@click.argument("query")
@click.option("--format", "format_", type=click.Choice(formats.names(), case_sensitive=False),
              default=None, help="Result format.")
@click.option("--data", "data", multiple=True, metavar="FILE",
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="RDF file to query instead of the bundled dataset (repeat for several).")
@click.option("--store", default=None, metavar="STORE",
              help="memory (default), oxigraph:PATH or a remote SPARQL URL.")
@click.option("--query-timeout", type=click.FloatRange(0.1, 3600), default=None,
              help="Seconds the query may run (default 10).")
def query(
    query: str,
    format_: str | None,
    data: tuple[Path, ...],
    store: str | None,
    query_timeout: float | None,
) -> None:
    """Run QUERY (SPARQL text, @FILE or - for stdin) on the local store.

    The query goes through the same checks, formats and time limit as the
    /sparql endpoint; the result is written to stdout.
    """
    from ewkg.cli.commands.serve import build_config, open_app

    text = read_query(query)
    config = build_config(data=data, store=store, query_timeout=query_timeout)
    app = open_app(config)
    params = {"format": format_} if format_ else {}
    try:
        with app.test_client() as client:
            response = client.post(
                "/sparql",
                data=text.encode("utf-8"),
                query_string=params,
                headers={"Content-Type": "application/sparql-query", "Accept": _SHELL_ACCEPT},
            )
    finally:
        executor = find_executor(app)
        if executor is not None:
            executor.close()
    if response.status_code != 200:
        message = response.get_data(as_text=True).strip()
        if response.mimetype == "application/json":
            message = json.loads(message)["error"]["message"]
        click.echo(f"ewkg query: {message}", err=True)
        sys.exit(1)
    body = response.get_data()
    click.echo(body, nl=not body.endswith(b"\n"))
    if response.headers.get("X-Ewkg-Result-Capped") == "true":
        click.echo(
            f"ewkg query: result capped at {response.headers.get('X-Ewkg-Result-Count')} "
            "rows/triples",
            err=True,
        )
