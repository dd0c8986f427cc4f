"""Writing the user's files safely: never half a file, never over an existing one unless asked.

``write_atomic`` writes a temporary file in the target's folder and renames it into place, so a
crash, a full disk or Ctrl-C leaves either the old file or the new one, never a mix.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flashdl.core.errors import FlashdlError, UsageError


def check_target(path: Path, *, force: bool) -> None:
    """Refuse to write over an existing file (unless ``force``), a folder, or into a missing folder."""
    if path.is_dir():
        raise UsageError(f"{path} is a folder; give a file name with -o")
    if path.exists() and not force:
        raise UsageError(f"{path} already exists; use --force to overwrite it")
    if not path.parent.is_dir():
        raise UsageError(f"cannot write {path}: the folder {path.parent} does not exist")


@contextmanager
def atomic_path(path: Path, *, force: bool = False, private: bool = False) -> Iterator[Path]:
    """A temporary path beside ``path`` to write; renamed onto ``path`` when the block succeeds.

    The file gets the usual permissions (0666 less the umask), or 0600 when ``private``.
    """
    path = Path(path)
    check_target(path, force=force)
    try:
        handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        os.close(handle)
    except OSError as exc:
        raise FlashdlError(f"cannot write {path}: {exc.strerror}") from None
    temp = Path(name)
    try:
        yield temp
        if not private:
            os.chmod(temp, 0o666 & ~_umask())
        os.replace(temp, path)
    except OSError as exc:
        raise FlashdlError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        temp.unlink(missing_ok=True)


def write_atomic(path: Path, data: bytes | str, *, force: bool = False) -> None:
    """Write ``data`` (text is UTF-8) to ``path`` atomically; see ``atomic_path``."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with atomic_path(path, force=force) as temp, temp.open("wb") as out:
        out.write(payload)
        out.flush()
        os.fsync(out.fileno())


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


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
            size = f"{info.st_size // 2**20} MiB"
            raise UsageError(f"{path} is {size}; {what} is limited to {limit // 2**20} MiB")
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # replaced between the two looks
            raise UsageError(f"{path} is not a regular file, so it cannot be {what}")
        chunks, size = [], 0
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                raise UsageError(f"{path} is larger than {limit // 2**20} MiB; {what} is limited")
        return b"".join(chunks)
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
