"""``ewkg dump``: write the whole dataset (ontology and data) in one RDF format."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ewkg.rdf import formats

#: The RDF document formats, by the short name of the format table.
_GRAPH_FORMATS = {f.name: f for f in formats.graph_formats()}


@click.command(
    epilog="""\b
Examples:
  ewkg dump                               # Turtle on stdout
  ewkg dump --format nt -o ewkg.nt
  ewkg dump -o ewkg.rdf.jsonld                # the format follows the file's extension
  ewkg dump --format trig --data my.ttl

\b
The same bytes the server gives at /dataset.{ttl,nt,jsonld,rdf,trig}. JSON-LD uses a local
@context built from the project's prefix table.
Exit codes: 0 success; 2 usage error or unreadable input (a missing file, broken RDF).
"""
)
@click.option("--format", "format_", type=click.Choice(list(_GRAPH_FORMATS), case_sensitive=False),
              default=None, help="Output format (default: from -o's extension, else ttl).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File to write (default: standard output).")
@click.option("--data", "data", multiple=True, metavar="FILE",
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="RDF file to dump instead of the bundled dataset (repeat for several).")
def dump(format_: str | None, output: Path | None, data: tuple[Path, ...]) -> None:
    """Write the whole dataset (ontology + data) as Turtle, N-Triples, JSON-LD, RDF/XML or TriG."""
    from ewkg.store.describe import dataset_bytes
    from ewkg.store.embedded import EmbeddedStore

    if format_ is not None:
        fmt = _GRAPH_FORMATS[format_.lower()]
    else:
        by_suffix = formats.by_suffix(output.suffix, _GRAPH_FORMATS.values()) if output else None
        fmt = by_suffix or _GRAPH_FORMATS["ttl"]
    try:
        store = EmbeddedStore(list(data) or None)
    except (OSError, SyntaxError, ValueError) as e:
        raise click.UsageError(f"cannot load the dataset: {e}") from None
    body = dataset_bytes(store, fmt)
    if output is None:
        sys.stdout.buffer.write(body)
        sys.stdout.buffer.flush()
        return
    try:
        output.write_bytes(body)
    except OSError as e:
        raise click.UsageError(f"cannot write {output}: {e}") from None
    click.echo(f"{output}: {len(store)} triples, {len(body)} bytes ({fmt.media_type})", err=True)
