"""Shared fixtures: the app (bundled data, in memory), its test client and CLI runner, and a
network guard that fails any test opening a connection to a non-loopback address."""

from __future__ import annotations

import ipaddress
import socket
import sys
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from ewkg.config import Config
from ewkg.web.app import create_app


def _is_loopback(host: object) -> bool:
    if not isinstance(host, str):
        return True  # AF_UNIX paths and the like
    if host in {"localhost", ""}:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _network_guard(event: str, args: tuple) -> None:
    if event == "socket.connect" and len(args) >= 2:
        address = args[1]
        if isinstance(address, tuple) and not _is_loopback(address[0]):
            raise RuntimeError(f"test tried to reach the network: {address!r}")
    elif event == "socket.getaddrinfo" and args and not _is_loopback(args[0]):
        raise RuntimeError(f"test tried to resolve a remote host: {args[0]!r}")


sys.addaudithook(_network_guard)
socket.setdefaulttimeout(30)


@pytest.fixture(scope="session")
def app() -> Iterator[Flask]:
    """The app on the bundled dataset, built once per test session (it is read-only).

    Its queries are never demoted (``query_demote_after=0``): a demoted query runs only on idle
    CPU, so beside a job that keeps every core busy a test query would wait for its time limit.
    The demotion itself is tested with executors of its own."""
    yield create_app(Config(testing=True, query_demote_after=0))


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture()
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()
