"""``python -m ewkg`` runs the console script."""

from ewkg.cli import main

if __name__ == "__main__":  # pragma: no cover
    main()
