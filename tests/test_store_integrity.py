"""A damaged on-disk store is never trusted: its files are checked against the checksums
written after its load; one that fails is rebuilt from the data, and one that cannot be opened
stops ``ewkg serve`` with exit 2 and one line that names the store and what to do."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest

from ewkg.store.embedded import (
    MANIFEST_FILE,
    EmbeddedStore,
    StoreError,
    store_manifest,
    verify_store,
)

EX = "http://example.org/"
NT = "".join(f'<{EX}n{i}> <{EX}label> "n{i}" .\n' for i in range(200))
COUNT = f"SELECT (COUNT(*) AS ?n) {{ ?s <{EX}label> ?o }}"


@pytest.fixture()
def data(tmp_path: Path) -> Path:
    path = tmp_path / "data.nt"
    path.write_text(NT, encoding="utf-8")
    return path


def loaded(data: Path, db: Path) -> Path:
    """Load ``data`` into the on-disk store ``db``; its version directory."""
    store = EmbeddedStore([data], path=str(db))
    assert store.loaded and store.location is not None
    location = store.location
    del store
    return location


def table_file(location: Path) -> Path:
    return max(location.glob("*.sst"), key=lambda p: p.stat().st_size)


def flip_a_byte(path: Path) -> None:
    """Damage ``path`` in place, keeping its name and size."""
    content = bytearray(path.read_bytes())
    content[len(content) // 2] ^= 0xFF
    path.write_bytes(bytes(content))


def count(store: EmbeddedStore) -> int:
    return int(store.select(COUNT)[0]["n"])


def test_a_complete_load_records_every_rocksdb_file(data: Path, tmp_path: Path) -> None:
    location = loaded(data, tmp_path / "db")
    recorded = json.loads((location / MANIFEST_FILE).read_text())["files"]
    assert recorded == store_manifest(location)
    assert any(name.endswith(".sst") for name in recorded) and "CURRENT" in recorded
    assert not any(name.startswith(("ewkg-", "LOG", "LOCK")) for name in recorded)
    assert verify_store(location) is None


def test_a_reopen_with_intact_files_is_not_rebuilt(data: Path, tmp_path: Path) -> None:
    loaded(data, tmp_path / "db")
    again = EmbeddedStore([data], path=str(tmp_path / "db"))
    assert not again.loaded and count(again) == 200


def test_a_table_file_that_fails_its_checksum_is_rebuilt_not_trusted(
    data: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Same file names, same sizes, one byte changed: the store is rebuilt from the data."""
    location = loaded(data, tmp_path / "db")
    damaged = table_file(location)
    flip_a_byte(damaged)
    assert damaged.name in (verify_store(location) or "")
    with caplog.at_level(logging.WARNING, logger="ewkg.store.embedded"):
        again = EmbeddedStore([data], path=str(tmp_path / "db"))
    assert again.loaded and count(again) == 200
    assert "rebuilt" in caplog.text and damaged.name in caplog.text
    assert again.location is not None and verify_store(again.location) is None


@pytest.mark.parametrize("damage", ["truncated manifest", "missing table", "no checksums"])
def test_other_damage_is_rebuilt_too(data: Path, tmp_path: Path, damage: str) -> None:
    location = loaded(data, tmp_path / "db")
    if damage == "truncated manifest":
        (manifest,) = location.glob("MANIFEST-*")
        manifest.write_bytes(manifest.read_bytes()[:100])
    elif damage == "missing table":
        table_file(location).unlink()
    else:  # as a store loaded by an ewkg that wrote no checksums
        (location / MANIFEST_FILE).unlink()
    again = EmbeddedStore([data], path=str(tmp_path / "db"))
    assert again.loaded and count(again) == 200


def test_a_store_that_rocksdb_refuses_is_one_clear_error(data: Path, tmp_path: Path) -> None:
    """A damaged file whose checksum was recorded as it is (the manifest rewritten to match):
    RocksDB's own multi-line error becomes one line naming the store and what to do."""
    db = tmp_path / "db"
    location = loaded(data, db)
    (location / "CURRENT").write_text("garbage\n")
    (location / MANIFEST_FILE).write_text(json.dumps({"files": store_manifest(location)}))
    with pytest.raises(StoreError) as caught:
        EmbeddedStore([data], path=str(db))
    message = str(caught.value)
    assert "\n" not in message
    assert f"the on-disk store {db} cannot be opened" in message
    assert f"delete {db} to rebuild it from --data" in message


def test_serve_on_a_store_that_cannot_be_opened_exits_2_with_one_line(
    data: Path, tmp_path: Path
) -> None:
    db = tmp_path / "db"
    location = loaded(data, db)
    (location / "CURRENT").write_text("garbage\n")
    (location / MANIFEST_FILE).write_text(json.dumps({"files": store_manifest(location)}))
    result = subprocess.run(
        [sys.executable, "-m", "ewkg", "serve", "--port", "0", "--store", f"oxigraph:{db}",
         "--data", str(data)],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert f"the on-disk store {db} cannot be opened" in lines[0]
    assert f"delete {db} to rebuild it from --data" in lines[0]
