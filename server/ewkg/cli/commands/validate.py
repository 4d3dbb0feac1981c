"""``ewkg validate [PATH…]``: check Turtle files against the shapes, with located messages."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from ewkg.strings import REPORT_LANGS
from ewkg.validation.report import choose_lang


def _colour(stream: object) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


@click.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--lang", type=click.Choice(REPORT_LANGS),
              help="Language of the messages (default: from LANG / LC_ALL, else en).")
@click.option("--format", "output", type=click.Choice(["text", "json", "turtle"]),
              default="text", show_default=True, help="How to write the report.")
@click.option("--alone", is_flag=True,
              help="Validate PATHS with the bundled ontology only, without the bundled data.")
@click.option("--reasoning", is_flag=True,
              help="Also check the OWL 2 RL closure (owlrl) for contradictions: disjoint "
                   "classes, functional properties. Slow (tens of seconds).")
@click.option("--engine", type=click.Choice(["oxigraph", "pyshacl"]), default="oxigraph",
              show_default=True,
              help="oxigraph: every shape compiled to SPARQL (fast); pyshacl: the reference "
                   "implementation (slow on the whole dataset).")
def validate(paths: tuple[Path, ...], lang: str | None, output: str, alone: bool,
             reasoning: bool, engine: str) -> None:
    """Validate Turtle against the SHACL shapes (default: the bundled ontology and data).

    PATHS (files, or folders of *.ttl) are validated together with the bundled ontology and,
    for reference resolution, the
    rest of the bundled data (a file named like a bundled data file replaces it). Every
    violation is reported with the file and line where its focus node is defined, the node's
    label, the property, the offending value, the shape and its message in French, Chinese or
    English. Syntax errors of every input file are reported at once, with line and column.

    \b
    Exit codes: 0 the data conforms, 1 violations, 2 unreadable input.
    """
    from ewkg.validation.validate import validate as run

    language = choose_lang(lang)
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(path.rglob("*.ttl")) if path.is_dir() else [path])
    if paths and not files:
        click.echo("error: no Turtle file (*.ttl) in " + ", ".join(map(str, paths)), err=True)
        sys.exit(2)
    report = run(files or None, alone=alone, reasoning=reasoning, engine=engine)
    if output == "json":
        click.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    elif output == "turtle":
        from ewkg.rdf.turtle import canonical_turtle

        if report.syntax_errors:
            click.echo(report.to_text(language), nl=False, err=True)
        else:
            click.echo(canonical_turtle(report.to_graph()), nl=False)
    else:
        click.echo(report.to_text(language, colour=_colour(sys.stdout)), nl=False)
    sys.exit(report.exit_code)
