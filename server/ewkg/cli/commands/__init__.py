"""One module per ``ewkg`` subcommand (see :data:`ewkg.cli.main.COMMANDS`)."""
