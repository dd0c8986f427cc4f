"""The atomic writer: only regular files are replaced, protected files never, links written through."""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

import pytest

from flashdl.core.errors import FlashdlError, UsageError
from flashdl.files import check_target, database_files, write_atomic, write_stream


def test_writes_new_files_and_replaces_regular_files_only_when_forced(tmp_path: Path):
    target = tmp_path / "out.txt"
    write_atomic(target, "one")
    assert target.read_text(encoding="utf-8") == "one"
    with pytest.raises(UsageError, match="already exists; use --force"):
        write_atomic(target, "two")
    write_atomic(target, b"two", force=True)
    assert target.read_bytes() == b"two" and not list(tmp_path.glob(".*.tmp"))


@pytest.mark.parametrize("kind", ["fifo", "device", "folder", "link to fifo", "link to device"])
def test_never_renames_over_a_special_file_or_a_link_to_one(tmp_path: Path, kind: str):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    targets = {
        "fifo": (fifo, "is a pipe"),
        "device": (Path("/dev/null"), "is a device"),
        "folder": (tmp_path, "is a folder"),
        "link to fifo": (tmp_path / "l1", "is a pipe"),
        "link to device": (tmp_path / "l2", "is a device"),
    }
    (tmp_path / "l1").symlink_to(fifo)
    (tmp_path / "l2").symlink_to("/dev/null")
    target, message = targets[kind]
    with pytest.raises(UsageError, match=message):
        write_atomic(target, "x", force=True)
    assert stat.S_ISFIFO(fifo.lstat().st_mode) and stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert (tmp_path / "l1").is_symlink() and (tmp_path / "l2").is_symlink()
    assert not list(tmp_path.glob(".*.tmp"))


def test_standard_output_is_a_device_or_a_pipe_and_is_refused_as_a_file(tmp_path: Path):
    link = tmp_path / "stdout"
    read, write = os.pipe()
    try:
        link.symlink_to(f"/proc/self/fd/{write}")  # what /dev/stdout is when piped
        if not os.path.exists(link):
            pytest.skip("no /proc/self/fd here")
        with pytest.raises(UsageError, match="is a pipe, not a regular file"):
            write_atomic(link, "x", force=True)
        assert link.is_symlink()
    finally:
        os.close(read)
        os.close(write)


def test_a_link_to_a_regular_file_is_written_through(tmp_path: Path):
    (tmp_path / "real").mkdir()
    real = tmp_path / "real" / "file.txt"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    write_atomic(link, "new", force=True)
    assert link.is_symlink() and real.read_text(encoding="utf-8") == "new"
    assert not list((tmp_path / "real").glob(".*.tmp")) and not list(tmp_path.glob(".*.tmp"))


def test_a_dangling_link_and_a_missing_folder_are_refused(tmp_path: Path):
    dangling = tmp_path / "dangling"
    dangling.symlink_to(tmp_path / "nowhere" / "x")
    with pytest.raises(UsageError, match="symbolic link to a missing file"):
        write_atomic(dangling, "x", force=True)
    with pytest.raises(UsageError, match="does not exist"):
        write_atomic(tmp_path / "missing" / "x", "x")


def test_the_database_and_its_companions_are_never_written_over(tmp_path: Path):
    db = tmp_path / "flashdl.db"
    db.write_bytes(b"SQLite format 3\x00")
    (tmp_path / "link.db").symlink_to(db)
    os.link(db, tmp_path / "hard.db")
    protect = database_files(db)
    assert [p.name for p in protect] == [
        "flashdl.db", "flashdl.db-wal", "flashdl.db-shm", "flashdl.db-journal",
    ]  # fmt: skip
    for target in (*protect, tmp_path / "link.db", tmp_path / "hard.db", tmp_path / "." / db.name):
        with pytest.raises(UsageError, match="is the database itself"):
            check_target(target, force=True, protect=protect)
    assert db.read_bytes() == b"SQLite format 3\x00"
    check_target(tmp_path / "other.db", force=True, protect=protect)  # anything else is fine


class _Closed(io.BytesIO):
    def write(self, data):
        raise BrokenPipeError(32, "Broken pipe")


def test_a_stream_that_fails_is_one_clear_error():
    out = io.BytesIO()
    write_stream(out, "中文\n")
    assert out.getvalue() == "中文\n".encode()
    with pytest.raises(FlashdlError, match="cannot write to standard output: Broken pipe"):
        write_stream(_Closed(), "x")


@pytest.mark.parametrize("size", [0, 1, 4095, 4096, 3 << 20])
def test_a_file_is_read_whole_up_to_its_limit_and_refused_past_it(tmp_path: Path, size: int):
    from flashdl.files import read_regular_file

    path = tmp_path / "deck.yaml"
    data = bytes(i % 251 for i in range(size))
    path.write_bytes(data)
    assert read_regular_file(path, limit=size, what="a deck") == data
    if size:
        with pytest.raises(UsageError, match=r"deck\.yaml is .*a deck is limited"):
            read_regular_file(path, limit=size - 1, what="a deck")


def test_a_file_that_grows_while_it_is_read_is_read_to_its_end_or_refused(
    tmp_path: Path, monkeypatch
):
    """The size seen on opening is only a guess: bytes added since are read too, up to the limit."""
    from flashdl import files

    path = tmp_path / "deck.yaml"
    path.write_bytes(b"a" * 100)
    real_read = os.read
    grown = []

    def read(fd, count):
        if not grown:  # the file grows right after it was opened
            with path.open("ab") as more:
                grown.append(more.write(b"b" * 5000))
        return real_read(fd, count)

    monkeypatch.setattr(files.os, "read", read)
    assert files.read_regular_file(path, limit=10_000, what="a deck") == b"a" * 100 + b"b" * 5000
    grown.clear()
    path.write_bytes(b"a" * 100)
    with pytest.raises(UsageError, match="larger than"):
        files.read_regular_file(path, limit=1000, what="a deck")
