"""A temporary file that never holds plaintext on the disk: where request bodies and uploaded files wait.

The first ``max_memory`` bytes stay in memory. Past that, everything moves to an unnamed temporary file,
encrypted with AES-256 in counter mode under a key made for this one spool and kept only in memory. When
the spool is closed (at the end of the request) or the process dies, the key is gone and what the disk
held is noise. So a large upload costs disk, not memory, and the plaintext of an attachment still never
reaches the disk before it is encrypted for storage (messaging/attachments.py).

Counter mode lets any part be read back on its own (the keystream at a byte depends only on its offset).
The spool is written at its end only, so no offset is ever encrypted twice under the same keystream. It
needs no authentication: the file lives for one request, unnamed, written and read by this process only.
"""

import io
import os
import tempfile
from collections.abc import Buffer
from typing import IO

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

_BLOCK = 16


class SealedSpool(io.RawIOBase):
    def __init__(self, *, max_memory: int, directory: str | None = None) -> None:
        super().__init__()
        self._max_memory = max_memory
        self._directory = directory
        self._memory: io.BytesIO | None = io.BytesIO()
        self._disk: IO[bytes] | None = None
        self._key = os.urandom(32)
        self._nonce = os.urandom(8)  # the first half of each counter block; the block number is the rest
        self._size = 0
        self._position = 0

    @property
    def _rolled(self) -> bool:
        """On disk now (Django's ASGI handler asks, to write from a thread)."""
        return self._disk is not None

    def readable(self) -> bool:
        return True

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        self._check_open()
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        self._check_open()
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._size}[whence]
        self._position = max(0, base + offset)
        return self._position

    def write(self, data: Buffer) -> int:
        self._check_open()
        if self._position != self._size:
            raise io.UnsupportedOperation("a sealed spool is written at its end only")
        chunk = bytes(data)
        if self._disk is None and self._size + len(chunk) > self._max_memory:
            self._roll_over()
        if self._disk is None:
            assert self._memory is not None
            self._memory.write(chunk)
        else:
            self._disk.seek(self._size)
            self._disk.write(self._crypt(chunk, self._size))
        self._size += len(chunk)
        self._position = self._size
        return len(chunk)

    def read(self, size: int | None = -1) -> bytes:
        self._check_open()
        end = self._size if size is None or size < 0 else min(self._size, self._position + size)
        if end <= self._position:
            return b""
        if self._disk is None:
            assert self._memory is not None
            with self._memory.getbuffer() as view:
                chunk = bytes(view[self._position : end])
        else:
            self._disk.flush()
            self._disk.seek(self._position)
            chunk = self._crypt(self._disk.read(end - self._position), self._position)
        self._position = end
        return chunk

    def readall(self) -> bytes:
        return self.read()

    def readinto(self, buffer: Buffer) -> int:
        view = memoryview(buffer).cast("B")
        chunk = self.read(len(view))
        view[: len(chunk)] = chunk
        return len(chunk)

    def close(self) -> None:
        if self._disk is not None:
            self._disk.close()
        self._disk, self._memory = None, None
        self._key = b""
        super().close()

    def _check_open(self) -> None:
        if self.closed:
            raise ValueError("I/O operation on a closed spool")

    def _roll_over(self) -> None:
        assert self._memory is not None
        self._disk = tempfile.TemporaryFile(dir=self._directory)  # noqa: SIM115 - closed with the spool
        self._disk.write(self._crypt(self._memory.getvalue(), 0))
        self._memory = None

    def _crypt(self, data: bytes, offset: int) -> bytes:
        """Encrypt or decrypt (the same in counter mode) ``data`` found at ``offset``."""
        block, skip = divmod(offset, _BLOCK)
        counter = self._nonce + block.to_bytes(8, "big")
        cipher = Cipher(algorithms.AES(self._key), modes.CTR(counter)).encryptor()
        cipher.update(bytes(skip))  # move the keystream to the offset within the block
        return cipher.update(data)
