"""The ``ewkg serve`` options that bound ``/validate`` (see :mod:`ewkg.validation.worker`).

Each is also read from its ``EWKG_*`` variable by :meth:`ewkg.config.Config.from_env`, so a
flag left out is ``None`` here and the variable, else the default, applies.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import click

F = TypeVar("F", bound=Callable[..., object])

_OPTIONS = (
    click.option("--validation-timeout", type=click.FloatRange(0.1, 3600), default=None,
                 help="Seconds a /validate request may take, waiting included (default 10)."),
    click.option("--validation-workers", type=click.IntRange(1, 64), default=None,
                 help="Validations running at once in the whole server (default 2)."),
    click.option("--validation-queue", type=click.IntRange(0, 1024), default=None,
                 help="Validations that may wait for a free one; more get 503 (default 4)."),
    click.option("--validation-memory", type=click.IntRange(0, 1 << 20), default=None,
                 metavar="MIB",
                 help="MiB a validation may allocate (0: unbounded; default 1024)."),
    click.option("--validation-max-results", type=click.IntRange(0), default=None,
                 help="Results a /validate report lists at most (0: all; default 1000)."),
)


def validation_options(command: F) -> F:
    """Add the ``--validation-*`` options; they reach the command as keyword arguments named
    like the :class:`~ewkg.config.Config` fields."""
    for option in reversed(_OPTIONS):
        command = option(command)
    return command
