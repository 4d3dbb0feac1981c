"""OWL 2 DL profile and consistency, checked by the OWL API and Pellet (the Java jars the
``owlready2`` wheel ships: nothing is downloaded at run time; Java must be installed).

    .venv/bin/python tools/owl_dl_check.py            # the ontology, then ontology + data

The ontology (``ontology/ewkg*.ttl``, without the display labels) must be in OWL 2 DL; ontology
and data together must be consistent (Pellet). The data's own profile violations (only the
passages' ``rdf:value``, reserved vocabulary) are counted, not fatal.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHECKER = Path(__file__).with_name("OwlDlCheck.java")


@dataclass(frozen=True)
class OwlReport:
    """What the OWL API and Pellet said about a set of files."""

    in_dl: bool
    consistent: bool
    violations: list[str]


def jars() -> Path | None:
    """The folder of the OWL API + Pellet jars inside the installed owlready2, if any."""
    try:
        import owlready2  # noqa: F401  (only its folder is used)
    except ImportError:
        return None
    folder = Path(owlready2.__file__).parent / "pellet"
    return folder if folder.is_dir() else None


def available() -> bool:
    return shutil.which("java") is not None and jars() is not None


def check(paths: list[Path], *, timeout: float = 600) -> OwlReport:
    """Merge ``paths`` into one Turtle document and run the checker on it."""
    from rdflib import Graph

    merged = Graph()
    for path in paths:
        merged.parse(path, format="turtle")
    with tempfile.TemporaryDirectory() as tmp:
        doc = Path(tmp) / "merged.ttl"
        merged.serialize(doc, format="turtle")
        done = subprocess.run(
            ["java", "-cp", f"{jars()}/*", str(CHECKER), str(doc)],
            capture_output=True, text=True, timeout=timeout, check=False,
        )
    lines = done.stdout.splitlines()
    if not any(line.startswith("consistent: ") for line in lines):
        raise RuntimeError(f"the OWL checker failed ({done.returncode}): {done.stderr[-2000:]}")
    return OwlReport(
        in_dl="profile: OWL 2 DL" in lines,
        consistent="consistent: true" in lines,
        violations=[line.removeprefix("violation: ") for line in lines
                    if line.startswith("violation: ")],
    )


def ontology_files() -> list[Path]:
    return sorted((ROOT / "ontology").glob("ewkg*.ttl"))


def main() -> int:
    if not available():
        print("needs java and owlready2 (pip install owlready2)", file=sys.stderr)
        return 2
    onto = check(ontology_files())
    for v in onto.violations:
        print("ontology:", v)
    print(f"ontology: {'OWL 2 DL' if onto.in_dl else 'NOT OWL 2 DL'}, "
          f"{'consistent' if onto.consistent else 'INCONSISTENT'}")
    whole = check(ontology_files() + sorted((ROOT / "data").glob("*.ttl")))
    print(f"ontology + data: {'consistent' if whole.consistent else 'INCONSISTENT'}, "
          f"{len(whole.violations)} OWL 2 DL profile violation(s) in the data")
    return 0 if onto.in_dl and onto.consistent and whole.consistent else 1


if __name__ == "__main__":
    sys.exit(main())
