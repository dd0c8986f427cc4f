"""Writing the user's files safely: never half a file, never over an existing one unless asked.

``write_atomic`` writes a temporary file in the target's folder and renames it into place, so a
crash, a full disk or Ctrl-C leaves either the old file or the new one, never a mix. A rename
replaces whatever has the name, so only regular files are ever replaced: a folder, a device
(``/dev/stdout``), a pipe or a socket is refused, and a symbolic link to a regular file is written
through (the link stays, the file it points to is replaced). ``protect`` names files that must
never be written over, whatever ``--force`` says: the progress database and its companions.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from flashdl.core.errors import FlashdlError, UsageError

STDOUT = Path("-")  # `-o -`: standard output
_DATABASE_COMPANIONS = ("-wal", "-shm", "-journal")


def database_files(db_path: Path) -> list[Path]:
    """The database and the files SQLite keeps beside it: none may be written over."""
    return [db_path, *(db_path.with_name(db_path.name + end) for end in _DATABASE_COMPANIONS)]


def _same_file(one: Path, other: Path) -> bool:
    try:
        if one.resolve() == other.resolve():
            return True
        return one.exists() and other.exists() and os.path.samefile(one, other)
    except (OSError, RuntimeError):  # a symlink loop, say: not the same as anything
        return False


def _kind(mode: int) -> str | None:
    """What a non-regular file is, in words; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def check_target(path: Path, *, force: bool, protect: Iterable[Path] = ()) -> None:
    """Refuse to write over a protected file, an existing file (unless ``force``), anything but
    a regular file (a folder, a device, a pipe, a socket, or a link to one), or into a missing
    folder."""
    path = Path(path)
    for kept in protect:
        if _same_file(path, kept):
            raise UsageError(f"{path} is the database itself; choose another file")
    try:
        mode = os.stat(path).st_mode  # through symbolic links
    except FileNotFoundError:
        if os.path.lexists(path):
            raise UsageError(
                f"{path} is a symbolic link to a missing file; remove it first"
            ) from None
        mode = None
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
    if mode is not None:
        kind = _kind(mode)
        if kind == "a folder":
            raise UsageError(f"{path} is a folder; give a file name with -o")
        if kind:
            raise UsageError(f"{path} is {kind}, not a regular file; give a file name with -o")
        if not force:
            raise UsageError(f"{path} already exists; use --force to overwrite it")
    if not _real(path).parent.is_dir():
        raise UsageError(f"cannot write {path}: the folder {path.parent} does not exist")


def _real(path: Path) -> Path:
    """The file a rename must replace: ``path``, or what a symbolic link at ``path`` points to."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


@contextmanager
def atomic_path(
    path: Path, *, force: bool = False, private: bool = False, protect: Iterable[Path] = ()
) -> Iterator[Path]:
    """A temporary path beside ``path`` to write; renamed onto ``path`` when the block succeeds.

    The file gets the usual permissions (0666 less the umask), or 0600 when ``private``.
    """
    path = Path(path)
    protect = list(protect)
    check_target(path, force=force, protect=protect)
    real = _real(path)
    try:
        handle, name = tempfile.mkstemp(dir=real.parent, prefix=f".{real.name}.", suffix=".tmp")
        os.close(handle)
    except OSError as exc:
        raise FlashdlError(f"cannot write {path}: {exc.strerror}") from None
    temp = Path(name)
    try:
        yield temp
        if not private:
            os.chmod(temp, 0o666 & ~_umask())
        check_target(path, force=True, protect=protect)  # again: it may have changed meanwhile
        os.replace(temp, real)
    except OSError as exc:
        raise FlashdlError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        temp.unlink(missing_ok=True)


def write_atomic(
    path: Path, data: bytes | str, *, force: bool = False, protect: Iterable[Path] = ()
) -> None:
    """Write ``data`` (text is UTF-8) to ``path`` atomically; see ``atomic_path``."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with atomic_path(path, force=force, protect=protect) as temp, temp.open("wb") as out:
        out.write(payload)
        out.flush()
        os.fsync(out.fileno())


def replace_own(path: Path, data: bytes | str) -> None:
    """Write ``data`` (text is UTF-8) to ``path``, a file flashdl keeps in its own folders (the
    settings, the deck schema copy), atomically. A symbolic link at ``path`` is replaced by the
    file, never written through, and the temporary file has a name no one can plant a link at:
    a link in a copied data folder must not make flashdl write over the file it names."""
    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise FlashdlError(f"cannot write {path}: {exc.strerror or exc}") from None
    temp = Path(name)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(payload)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, 0o666 & ~_umask())
        os.replace(temp, path)
    except OSError as exc:
        raise FlashdlError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        temp.unlink(missing_ok=True)


def write_stream(stream: BinaryIO, data: bytes | str, what: str = "standard output") -> None:
    """Write ``data`` (text is UTF-8) to an open stream such as standard output, all of it."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        stream.write(payload)
        stream.flush()
    except OSError as exc:
        raise FlashdlError(f"cannot write to {what}: {exc.strerror or exc}") from None


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _mib(size: int) -> str:
    """A size in MiB, rounded up to a tenth, so that a size over a limit never reads as it."""
    tenths = -(-size * 10 // 2**20)
    return f"{tenths // 10} MiB" if tenths % 10 == 0 else f"{tenths / 10:.1f} MiB"


def read_regular_file(path: Path, *, limit: int, what: str) -> bytes:
    """The bytes of ``path``, which must be a regular file of at most ``limit`` bytes.

    A FIFO would block forever, a device such as /dev/zero would fill the memory, and a symlink
    loop would raise deep in a library: each is refused with one line naming ``what`` it was
    meant to be. Raises ``FileNotFoundError`` for a missing file (callers decide what that means),
    ``UsageError`` for everything else."""
    import stat

    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise UsageError(f"{path} is not a regular file, so it cannot be {what}")
        if info.st_size > limit:
            raise UsageError(f"{path} is {_mib(info.st_size)}; {what} is limited to {_mib(limit)}")
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode):  # replaced between the two looks
            raise UsageError(f"{path} is not a regular file, so it cannot be {what}")
        # One read of the size it has (and one byte more, to see it grew): chunks joined would
        # copy a large deck once more, and fresh memory costs a page fault per 4 KiB.
        chunks = [os.read(fd, min(opened.st_size, limit) + 1)]
        size = len(chunks[0])
        while size <= limit and (chunk := os.read(fd, 1 << 20)):
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise UsageError(f"{path} is larger than {limit // 2**20} MiB; {what} is limited")
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def resolved(path: Path) -> Path:
    """``path.resolve()``, or its absolute form where links loop (Python 3.11 raises
    RuntimeError there, later versions OSError): a loop is then reported where it is read."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return Path(os.path.abspath(path))
