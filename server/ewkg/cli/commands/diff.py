"""``ewkg diff OLD NEW``: the triples a change adds and removes, by subject, with labels."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from ewkg.strings import DIFF, LANGS, REPORT_LANGS
from ewkg.validation.report import choose_lang


@click.command("diff")
@click.argument("old", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("new", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--lang", type=click.Choice(REPORT_LANGS),
              help="Language of the labels (default: from LANG / LC_ALL, else en).")
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def diff(old: Path, new: Path, lang: str | None, output: str) -> None:
    """Show what changing OLD into NEW adds (+) and removes (-), as triples grouped by subject.

    Labels come from NEW, else OLD, else the bundled data; blank nodes are compared by
    canonicalising both graphs, so relabelled blank nodes are no change. For a pull request:
    `ewkg diff <(git show main:data/region.ttl) data/region.ttl`.

    \b
    Exit codes: 0 no differences, 1 differences, 2 unreadable input (like diff(1)).
    """
    from ewkg.rdf.graph_diff import diff_graphs
    from ewkg.rdf.turtle import predicate_key, term_text
    from ewkg.validation.locate import parse_files
    from ewkg.validation.validate import bundled_context

    language = choose_lang(lang)
    parsed, problems = parse_files([old, new])
    if problems:
        for problem in problems:
            click.echo(f"error: {problem}", err=True)
        sys.exit(2)
    context = None
    try:
        from ewkg.rdf.namespaces import new_graph

        context = new_graph()
        for source in bundled_context():
            context += source.graph
    except Exception:  # the bundle is only a source of labels: never fail a diff for it
        context = None
    result = diff_graphs(parsed[0].graph, parsed[1].graph, context=context)
    if output == "json":
        click.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
        sys.exit(1 if result else 0)

    colour = not os.environ.get("NO_COLOR") and sys.stdout.isatty()

    def paint(text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if colour else text

    def label(labels: dict[str, str]) -> str:
        for candidate in (language, *LANGS, ""):
            if candidate in labels:
                return labels[candidate]
        return ""

    for change in result.changes:
        name = label(change.labels)
        click.echo(paint(term_text(change.subject), "1") + (f"  # {name}" if name else ""))
        rows = [("-", t) for t in change.removed] + [("+", t) for t in change.added]
        rows.sort(key=lambda row: (predicate_key(row[1][1]), row[0] == "+"))
        for sign, (_, p, o) in rows:
            line = f"  {sign} {term_text(p)} {term_text(o)}"
            object_label = label(result.labels.get(o, {}))
            if object_label:
                line += f"  # {object_label}"
            click.echo(paint(line, "31" if sign == "-" else "32"))
    if result:
        click.echo(DIFF["summary"][language].format(a=result.added, r=result.removed,
                                           n=len(result.changes)))
        sys.exit(1)
    click.echo(DIFF["same"][language])
