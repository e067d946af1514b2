"""Optional encryption of a backup with a Fernet key (`cryptography`), in chunks so that a large
backup is never held in memory. Each chunk carries its index and a last-chunk flag inside the
authenticated token, so chunks cannot be reordered, dropped or cut off unnoticed."""

import struct
from collections.abc import Iterator
from typing import IO

from cryptography.fernet import Fernet, InvalidToken

MAGIC = b"HMIS-BACKUP-ENCRYPTED-1\n"
CHUNK = 4 * 1024 * 1024
_HEADER = struct.Struct(">QB")
_LENGTH = struct.Struct(">I")


class BackupKeyError(Exception):
    pass


def fernet(key: str) -> Fernet:
    try:
        return Fernet(key.strip().encode())
    except (ValueError, TypeError):
        raise BackupKeyError(
            "The backup key is not a Fernet key (32 url-safe base64 bytes); make one with: "
            "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key()"
            ".decode())'"
        ) from None


def encrypt(source: IO[bytes], target: IO[bytes], key: str) -> None:
    box = fernet(key)
    target.write(MAGIC)
    index = 0
    chunk = source.read(CHUNK)
    while True:
        following = source.read(CHUNK)
        token = box.encrypt(_HEADER.pack(index, 0 if following else 1) + chunk)
        target.write(_LENGTH.pack(len(token)) + token)
        if not following:
            return
        chunk, index = following, index + 1


def is_encrypted(path) -> bool:
    with open(path, "rb") as stream:
        return stream.read(len(MAGIC)) == MAGIC


def decrypt(source: IO[bytes], target: IO[bytes], key: str) -> None:
    box = fernet(key)
    if source.read(len(MAGIC)) != MAGIC:
        raise BackupKeyError("This backup is not encrypted.")
    expected = 0
    for plain in _tokens(source, box):
        index, last = _HEADER.unpack_from(plain)
        if index != expected:
            raise BackupKeyError("The backup is damaged: its parts are out of order.")
        target.write(plain[_HEADER.size :])
        if last:
            return
        expected += 1
    raise BackupKeyError("The backup is damaged: it is cut short.")


def _tokens(source: IO[bytes], box: Fernet) -> Iterator[bytes]:
    while length := source.read(_LENGTH.size):
        if len(length) < _LENGTH.size:
            break
        token = source.read(_LENGTH.unpack(length)[0])
        try:
            yield box.decrypt(token)
        except InvalidToken:
            raise BackupKeyError(
                "The backup cannot be decrypted with this key (wrong key, or a damaged file)."
            ) from None
