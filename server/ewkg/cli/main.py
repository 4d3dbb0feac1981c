"""The ``ewkg`` console script: a click group whose subcommands load lazily.

Each subcommand lives in its own module under :mod:`ewkg.cli.commands`, so ``ewkg --help`` starts
fast and one command's heavy imports (the SPARQL engine, pySHACL) never slow another.
"""

from __future__ import annotations

import importlib

import click

from ewkg import __version__

#: name -> (module, attribute, one-line help shown by ``ewkg --help``)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "serve": ("ewkg.cli.commands.serve", "serve", "Serve the SPARQL endpoint and the linked data."),
    "query": ("ewkg.cli.commands.query", "query", "Run a SPARQL query on the local store."),
    "validate": ("ewkg.cli.commands.validate", "validate", "Validate Turtle against the shapes."),
    "format": ("ewkg.cli.commands.format", "format_", "Rewrite Turtle in the canonical form."),
    "diff": ("ewkg.cli.commands.diff", "diff", "Show the triples a change adds and removes."),
    "dump": ("ewkg.cli.commands.dump", "dump", "Write the whole dataset in an RDF format."),
}

EPILOG = """\b
Exit codes:
  0  success (validate: the data conforms; format --check: already canonical)
  1  validate: violations found; format --check: a file is not canonical;
     query: the query failed
  2  usage error, or unreadable input (a missing file, broken Turtle)

\b
Environment: every option of `ewkg serve` can also be set as EWKG_<OPTION>,
e.g. EWKG_PORT=8080, EWKG_QUERY_TIMEOUT=5.

\b
Examples:
  ewkg serve                        # http://127.0.0.1:8000/
  ewkg query 'SELECT * { ?s ?p ?o } LIMIT 3' --format csv
  ewkg validate data/region.ttl --lang zh
  ewkg format --check
"""


class LazyGroup(click.Group):
    """A group that imports a subcommand's module only when that subcommand runs."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        spec = COMMANDS.get(cmd_name)
        if spec is None:
            return None
        module_name, attr, _ = spec
        command = getattr(importlib.import_module(module_name), attr)
        if not isinstance(command, click.Command):  # pragma: no cover - programming error
            raise TypeError(f"{module_name}.{attr} is not a click command")
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, spec[2]) for name, spec in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ewkg")
def main() -> None:
    """ewkg — the East–West poverty alleviation cooperation knowledge graph.

    东西部扶贫协作知识图谱 · graphe de connaissances de la coordination Est-Ouest
    en matière d'assistance aux démunis.

    Serves the bundled ontology and data (French and Chinese) as a SPARQL 1.1
    endpoint and as linked data, and gives curators tools to validate, format
    and review the Turtle files. Run `ewkg COMMAND --help` for each command.
    """
