"""``python -m ewkg`` runs the console script."""

from ewkg.cli.main import main

if __name__ == "__main__":  # pragma: no cover
    main()
