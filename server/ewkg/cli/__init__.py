"""The ``ewkg`` command line."""
