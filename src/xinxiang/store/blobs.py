"""Content-addressed file store for raw messages, attachments and PDFs under the data directory."""

from __future__ import annotations

import hashlib
import os
import secrets
import threading
from pathlib import Path


class BlobStore:
    """Files named by their sha256; writing the same content twice is a no-op."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._dirs: set[str] = set()
        self._lock = threading.Lock()
        self._unsynced = False

    def path_for(self, sha256: str, suffix: str = "") -> Path:
        """Where the blob with this digest lives (two levels of fan-out)."""
        return self.root / sha256[:2] / sha256[2:4] / f"{sha256}{suffix}"

    def put(self, data: bytes, suffix: str = "", *, durable: bool = True) -> str:
        """Store `data` (write, rename) and return its sha256.

        With `durable=False` the fsync is left to one `sync()` call for a whole batch, which
        the caller makes before committing the rows that reference these blobs.
        """
        digest = hashlib.sha256(data).hexdigest()
        directory = os.path.join(self.root, digest[:2], digest[2:4])
        target = os.path.join(directory, digest + suffix)
        if os.path.exists(target):
            return digest
        if directory not in self._dirs:
            os.makedirs(directory, exist_ok=True)
            with self._lock:
                self._dirs.add(directory)
        # A unique temporary name in the same directory, then an atomic rename: a reader never
        # sees a partial blob, and two writers of the same content simply both succeed.
        tmp = os.path.join(directory, f".tmp-{secrets.token_hex(8)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                if durable:
                    fh.flush()
                    os.fsync(fh.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        if not durable:
            self._unsynced = True
        return digest

    def sync(self) -> None:
        """Make every blob written with `durable=False` durable (one `sync(2)` for the batch:
        far cheaper than an fsync per file, and it also covers the renamed directory entries).
        Nothing to do when no such blob was written since the last sync."""
        if not self._unsynced:
            return
        # Cleared before syncing: a write finishing meanwhile sets it again for its own caller.
        self._unsynced = False
        os.sync()

    def get(self, sha256: str, suffix: str = "") -> bytes:
        """Read a blob back."""
        return self.path_for(sha256, suffix).read_bytes()

    def require(self, sha256: str, suffix: str = "") -> None:
        """Raise FileNotFoundError unless the blob is there (without reading it)."""
        path = self.path_for(sha256, suffix)
        if not path.is_file():
            raise FileNotFoundError(2, "No such file or directory", str(path))
