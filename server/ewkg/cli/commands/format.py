"""``ewkg format [--check] [--diff] [PATH…]``: rewrite Turtle in the canonical form."""

from __future__ import annotations

import difflib
import sys
from pathlib import Path

import click

from ewkg.rdf.turtle import format_text
from ewkg.resources import bundle_dir
from ewkg.validation.locate import display_name


def _default_paths() -> list[Path]:
    return [bundle_dir(name) for name in ("ontology", "data", "shapes")]


def _expand(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(path.rglob("*.ttl")))
        else:
            files.append(path)
    return files


@click.command("format")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--check", is_flag=True, help="Change nothing; exit 1 if a file is not canonical.")
@click.option("--diff", "show_diff", is_flag=True,
              help="With --check: show a unified diff of what would change.")
def format_(paths: tuple[Path, ...], check: bool, show_diff: bool) -> None:
    """Rewrite Turtle files in ewkg's canonical form (see docs/curators.md).

    PATHS are files or folders (default: the bundled ontology/, data/ and shapes/).
    Prefixes sorted and only those used, the header subject first, then subjects by IRI,
    predicates in one display order (type, labels, definitions, scheme, ewkg: properties,
    others, provenance), @fr before @zh, one object per line.

    \b
    Exit codes: 0 all canonical (or rewritten), 1 --check found a non-canonical file,
    2 a file is missing or is not valid Turtle.
    """
    files = _expand(list(paths) or _default_paths())
    broken: list[str] = []
    changed: list[Path] = []
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
            canonical = format_text(text, source=path)
        except (OSError, UnicodeDecodeError, SyntaxError) as exc:
            broken.append(f"{display_name(path)}: {exc}")
            continue
        if canonical == text:
            continue
        changed.append(path)
        shown = display_name(path)
        if check:
            click.echo(f"would reformat {shown}")
            if show_diff:
                click.echo("".join(difflib.unified_diff(
                    text.splitlines(keepends=True), canonical.splitlines(keepends=True),
                    fromfile=f"{shown} (now)", tofile=f"{shown} (canonical)",
                )), nl=False)
        else:
            path.write_text(canonical, encoding="utf-8")
            click.echo(f"reformatted {shown}")
    for message in broken:
        click.echo(f"error: {message}", err=True)
    if broken:
        sys.exit(2)
    kept = len(files) - len(changed)
    if check:
        if changed:
            click.echo(f"{len(changed)} file(s) would be reformatted, {kept} already canonical. "
                       "Run `ewkg format` to fix.")
            sys.exit(1)
        click.echo(f"{len(files)} file(s) already canonical.")
    else:
        click.echo(f"{len(changed)} file(s) reformatted, {kept} already canonical.")
