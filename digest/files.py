"""Writing files under out/ (and var/) atomically and never through a symlink.

Everything the job writes goes through here: the editions, the web archive, the
outbox, the preview's rebuilds. Two promises:

- atomic: a file is written to a temporary name in its own folder and renamed over
  the old one, so a reader (a web server, a mail client, a crash) sees the old file
  or the new one, never half of one;
- no symlinks: a symlink inside the folder we write to (`out/site/feed.xml ->
  /etc/...`, `out/outbox -> /somewhere`) would make the job write where its
  configuration never said. Each folder below the root is opened with O_NOFOLLOW,
  relative to its parent's descriptor, so nothing can be swapped in between the
  check and the write; a symlink is refused with an error naming it.

The root itself (`out`, as configured) may be a symlink: that is the organiser's
choice, made in the configuration. What lies below it is the job's.

Private folders (the outbox, the state folder) are created 0700 and their files
0600: they hold every reader's address.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path

from .errors import EXIT_CONFIG, DigestError

PRIVATE_DIR, PRIVATE_FILE = 0o700, 0o600
PUBLIC_DIR, PUBLIC_FILE = 0o755, 0o644
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


class UnsafePathError(DigestError):
    """A symlink (or something other than a folder or file) where the job writes."""

    exit_code = EXIT_CONFIG


def _relative_parts(path: Path, root: Path) -> tuple[str, ...]:
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        raise UnsafePathError(f"{path} is outside {root}; refusing to write there") from None
    if any(p in ("..", ".") for p in parts):
        raise UnsafePathError(f"{path}: '..' is not allowed below {root}")
    return parts


def _refuse_link(shown: Path, dir_fd: int, name: str) -> os.stat_result | None:
    """lstat `name` in `dir_fd`: None when it does not exist; refuse a symlink."""
    try:
        st = os.lstat(name, dir_fd=dir_fd)
    except FileNotFoundError:
        return None
    if stat.S_ISLNK(st.st_mode):
        raise UnsafePathError(f"{shown} is a symbolic link; the digest does not write through "
                              "links: remove it (the job creates the real file or folder)")
    return st


@contextlib.contextmanager
def open_dir(folder: Path, root: Path, *, private: bool = False) -> Iterator[int]:
    """A descriptor of `folder` (created as needed), reached from `root` without following
    a symlink. `private` creates the folders below root 0700 and tightens existing ones."""
    parts = _relative_parts(folder, root)
    root.mkdir(parents=True, exist_ok=True)
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    shown = root
    try:
        for name in parts:
            shown = shown / name
            st = _refuse_link(shown, fd, name)
            if st is None:
                with contextlib.suppress(FileExistsError):  # another process was quicker
                    os.mkdir(name, PRIVATE_DIR if private else PUBLIC_DIR, dir_fd=fd)
            elif not stat.S_ISDIR(st.st_mode):
                raise UnsafePathError(f"{shown} is not a folder")
            try:
                child = os.open(name, _DIR_FLAGS, dir_fd=fd)
            except OSError as e:  # ELOOP: made a link since the check
                raise UnsafePathError(f"{shown} cannot be opened as a folder: {e.strerror}"
                                      ) from None
            os.close(fd)
            fd = child
            if private:
                os.fchmod(fd, PRIVATE_DIR)
        yield fd
    finally:
        os.close(fd)


def ensure_dir(folder: Path, root: Path, *, private: bool = False) -> Path:
    """Create `folder` below `root` (refusing symlinks on the way); returns it."""
    with open_dir(folder, root, private=private):
        return folder


def write_file(path: Path, data: str | bytes, root: Path, *, private: bool = False) -> Path:
    """Write `data` to `path` (below `root`) atomically, never through a symlink.

    The temporary file is created beside the target with O_EXCL|O_NOFOLLOW and renamed
    over it; `private` makes the file 0600 (and its folders 0700).
    """
    body = data.encode("utf-8") if isinstance(data, str) else data
    with open_dir(path.parent, root, private=private) as fd:
        _refuse_link(path, fd, path.name)
        tmp = f".{path.name}.{secrets.token_hex(6)}.tmp"
        mode = PRIVATE_FILE if private else PUBLIC_FILE
        out = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                      mode, dir_fd=fd)
        try:
            with os.fdopen(out, "wb") as f:
                f.write(body)
            os.replace(tmp, path.name, src_dir_fd=fd, dst_dir_fd=fd)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp, dir_fd=fd)
            raise
    return path


def replace_file(tmp: Path, target: Path) -> None:
    """Rename a finished temporary file over `target`, refusing when `target` is a symlink
    (replacing it would silently cut the organiser's link)."""
    if target.is_symlink():
        raise UnsafePathError(f"{target} is a symbolic link; edit the file it points at "
                              f"({os.path.realpath(target)}) by hand, or replace the link")
    os.replace(tmp, target)


def private_file(path: Path) -> None:
    """Create `path` empty and 0600 when missing, so a library that opens it afterwards
    (SQLite for the state, its backups) keeps it for the owner only."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
                         | os.O_CLOEXEC, PRIVATE_FILE))


def private_dir(path: Path) -> None:
    """Create `path` (and missing parents) with the last folder for the owner only."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            os.mkdir(path, PRIVATE_DIR)
