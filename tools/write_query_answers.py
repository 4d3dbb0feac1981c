"""Write ``queries/5?-*.tsv``: the answer of each reference competency query on the bundled store,
one N-Triples term per cell (a dev tool: review the answers before committing them). Name
queries (``25-wording-discrepancies`` or ``25``) to write those instead.

    /work/venv/bin/python tools/write_query_answers.py [NAME…]
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "server"))

from ewkg.store.embedded import EmbeddedStore  # noqa: E402


def main() -> None:
    store = EmbeddedStore().oxigraph
    names = sys.argv[1:]
    chosen = [q for n in names for q in sorted((ROOT / "queries").glob(f"{n}*.rq"))]
    for rq in chosen or sorted((ROOT / "queries").glob("5[0-9]-*.rq")):
        results = store.query(rq.read_text(encoding="utf-8"), use_default_graph_as_union=True)
        names = [v.value for v in results.variables]
        lines = ["\t".join(f"?{n}" for n in names)]
        for solution in results:
            lines.append("\t".join("" if solution[n] is None else str(solution[n]) for n in names))
        rq.with_suffix(".tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"{rq.name}: {len(lines) - 1} rows")


if __name__ == "__main__":
    main()
