"""Join parquet files by copying their row groups byte for byte, without decoding them.

A parquet file is "PAR1", its row groups' pages, a footer (Thrift compact protocol) that says
where each column chunk starts, the footer's length and "PAR1". Joining files that share one
schema is therefore: copy each file's pages, and write one footer listing every row group with
its offsets moved to where its bytes now are. Re-encoding through pyarrow costs about as much as
a compiled model run; copying costs only the disk.

The footer is read and written with a small generic reader of the compact protocol that keeps
every field it does not touch as it was.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Sequence
from pathlib import Path
from typing import Any, BinaryIO

MAGIC = b"PAR1"
COPY_BYTES = 8 << 20

# Thrift compact protocol types
BOOL_TRUE, BOOL_FALSE, BYTE, I16, I32, I64, DOUBLE, BINARY, LIST, SET, MAP, STRUCT = range(1, 13)

# Field ids in parquet.thrift: the ones that hold a byte offset into the file, and the counts
FILE_SCHEMA, FILE_NUM_ROWS, FILE_ROW_GROUPS = 2, 3, 4
GROUP_COLUMNS, GROUP_FILE_OFFSET, GROUP_ORDINAL = 1, 5, 7
CHUNK_FILE_PATH, CHUNK_OFFSETS, CHUNK_META = 1, (2, 4, 6), 3
META_OFFSETS = (9, 10, 11, 14)  # data page, index page, dictionary page, bloom filter

Struct = list[list[Any]]  # [[field id, type, value], ...] in the order read
# Which structs are read field by field (the way to the offsets); any other struct, list, map
# or string is kept as its bytes (`Raw`) and written back as it was.
Spec = dict[int, "Spec"]
FOOTER_SPEC: Spec = {FILE_ROW_GROUPS: {GROUP_COLUMNS: {CHUNK_META: {}}}}


class Raw(bytes):
    """A value kept as its encoded bytes."""


class JoinError(ValueError):
    """The files cannot be joined by copying (different schemas, or not plain parquet)."""


# ---------------------------------------------------------------------------- compact protocol
class _Reader:
    def __init__(self, data: bytes):
        self.data, self.pos = data, 0

    def byte(self) -> int:
        self.pos += 1
        return self.data[self.pos - 1]

    def varint(self) -> int:
        data, pos = self.data, self.pos
        b = data[pos]
        result, shift, pos = b & 0x7F, 7, pos + 1
        while b & 0x80:
            b = data[pos]
            result |= (b & 0x7F) << shift
            shift, pos = shift + 7, pos + 1
        self.pos = pos
        return result

    def zigzag(self) -> int:
        n = self.varint()
        return (n >> 1) ^ -(n & 1)

    def value(self, kind: int) -> Any:
        if I16 <= kind <= I64:  # the most common first
            n = self.varint()
            return (n >> 1) ^ -(n & 1)
        if kind in (BOOL_TRUE, BOOL_FALSE):
            return kind == BOOL_TRUE
        if kind == BYTE:
            return self.byte()
        if kind == DOUBLE:
            self.pos += 8
            return self.data[self.pos - 8:self.pos]
        if kind == BINARY:
            size = self.varint()
            self.pos += size
            return self.data[self.pos - size:self.pos]
        if kind in (LIST, SET):
            head = self.byte()
            size, item = head >> 4, head & 0x0F
            if size == 15:
                size = self.varint()
            if item in (BOOL_TRUE, BOOL_FALSE):
                return item, [self.byte() == BOOL_TRUE for _ in range(size)]
            return item, [self.value(item) for _ in range(size)]
        if kind == MAP:
            size = self.varint()
            if not size:
                return 0, 0, []
            types = self.byte()
            key, val = types >> 4, types & 0x0F
            return key, val, [(self.value(key), self.value(val)) for _ in range(size)]
        if kind == STRUCT:
            return self.struct()
        raise JoinError(f"unknown thrift type {kind}")

    def skip(self, kind: int) -> None:
        """Move past a value without building it."""
        if I16 <= kind <= I64:
            self.varint()
        elif kind == STRUCT:
            while head := self.byte():
                if not head >> 4:
                    self.varint()
                self.skip(head & 0x0F)
        elif kind == BYTE:
            self.pos += 1
        elif kind == DOUBLE:
            self.pos += 8
        elif kind == BINARY:
            size = self.varint()  # read before `pos` is: `self.pos += self.varint()` loses it
            self.pos += size
        elif kind in (LIST, SET):
            head = self.byte()
            size, item = head >> 4, head & 0x0F
            if size == 15:
                size = self.varint()
            for _ in range(size):
                self.skip(BYTE if item in (BOOL_TRUE, BOOL_FALSE) else item)
        elif kind == MAP:
            size = self.varint()
            if size:
                types = self.byte()
                for _ in range(size):
                    self.skip(types >> 4)
                    self.skip(types & 0x0F)
        elif kind not in (BOOL_TRUE, BOOL_FALSE):
            raise JoinError(f"unknown thrift type {kind}")

    def struct(self, spec: Spec | None = None) -> Struct:
        """A struct's fields: numbers read, the structs (or lists of structs) that `spec` names
        read by their own spec, anything else kept as bytes (everything read without a spec)."""
        fields: Struct = []
        last = 0
        while head := self.byte():
            delta, kind = head >> 4, head & 0x0F
            field = last + delta if delta else self.zigzag()
            last = field
            if spec is None or kind <= DOUBLE:
                fields.append([field, kind, self.value(kind)])
            elif field in spec and kind == STRUCT:
                fields.append([field, kind, self.struct(spec[field])])
            elif field in spec and kind == LIST:
                head = self.byte()
                size = self.varint() if head >> 4 == 15 else head >> 4
                items = [self.struct(spec[field]) for _ in range(size)]
                fields.append([field, kind, (head & 0x0F, items)])
            else:
                start = self.pos
                self.skip(kind)
                fields.append([field, kind, Raw(self.data[start:self.pos])])
        return fields


class _Writer:
    def __init__(self) -> None:
        self.out = bytearray()

    def varint(self, n: int) -> None:
        while n > 0x7F:
            self.out.append(n & 0x7F | 0x80)
            n >>= 7
        self.out.append(n)

    def zigzag(self, n: int) -> None:
        self.varint((n << 1) ^ (n >> 63))

    def value(self, kind: int, value: Any) -> None:
        if isinstance(value, Raw):
            self.out += value
        elif I16 <= kind <= I64:  # the most common first
            self.zigzag(value)
        elif kind == STRUCT:
            self.struct(value)
        elif kind in (BOOL_TRUE, BOOL_FALSE):
            return  # a struct field's bool is in its type
        elif kind == BYTE:
            self.out.append(value)
        elif kind == DOUBLE:
            self.out += value
        elif kind == BINARY:
            self.varint(len(value))
            self.out += value
        elif kind in (LIST, SET):
            item, items = value
            if len(items) < 15:
                self.out.append(len(items) << 4 | item)
            else:
                self.out.append(0xF0 | item)
                self.varint(len(items))
            for element in items:
                if item in (BOOL_TRUE, BOOL_FALSE):
                    self.out.append(BOOL_TRUE if element else BOOL_FALSE)
                else:
                    self.value(item, element)
        elif kind == MAP:
            key, val, pairs = value
            self.varint(len(pairs))
            if pairs:
                self.out.append(key << 4 | val)
                for k, v in pairs:
                    self.value(key, k)
                    self.value(val, v)
        else:
            raise JoinError(f"unknown thrift type {kind}")

    def struct(self, fields: Struct) -> None:
        last = 0
        for field, kind, value in fields:
            if kind in (BOOL_TRUE, BOOL_FALSE):
                kind = BOOL_TRUE if value else BOOL_FALSE
            if 0 < field - last <= 15:
                self.out.append((field - last) << 4 | kind)
            else:
                self.out.append(kind)
                self.zigzag(field)
            self.value(kind, value)
            last = field
        self.out.append(0)


def _get(fields: Struct, field: int) -> Any:
    return next((f[2] for f in fields if f[0] == field), None)


def _set(fields: Struct, field: int, value: Any) -> None:
    for f in fields:
        if f[0] == field:
            f[2] = value
            return
    raise JoinError(f"footer field {field} missing")


# ---------------------------------------------------------------------------- files
def read_footer(handle: BinaryIO) -> tuple[Struct, int]:
    """A parquet file's footer (FileMetaData, as read) and where it starts."""
    handle.seek(0, os.SEEK_END)
    size = handle.tell()
    handle.seek(size - 8)
    length_magic = handle.read(8)
    length = struct.unpack("<I", length_magic[:4])[0]
    if length_magic[4:] != MAGIC or length + 12 > size:
        raise JoinError("not a plain (unencrypted) parquet file")
    start = size - 8 - length
    handle.seek(start)
    return _Reader(handle.read(length)).struct(FOOTER_SPEC), start


def _move(group: Struct, shift: int) -> None:
    """Move every byte offset of a row group by `shift`."""
    if _get(group, GROUP_FILE_OFFSET) is not None:
        _set(group, GROUP_FILE_OFFSET, _get(group, GROUP_FILE_OFFSET) + shift)
    for chunk in _get(group, GROUP_COLUMNS)[1]:
        if _get(chunk, CHUNK_FILE_PATH) is not None:
            raise JoinError("a column chunk lives in another file")
        for f in chunk:
            if f[0] in CHUNK_OFFSETS:
                f[2] += shift
        for f in _get(chunk, CHUNK_META) or []:
            if f[0] in META_OFFSETS:
                f[2] += shift


def join(parts: Sequence[Path], out: BinaryIO) -> int:
    """Write the row groups of `parts` (same schema), in order, into `out` as one parquet file;
    return the number of rows. Pages are copied as they are: nothing is decoded."""
    out.write(MAGIC)
    first: Struct | None = None
    groups: list[Struct] = []
    rows = 0
    for part in parts:
        with open(part, "rb") as handle:
            footer, end = read_footer(handle)
            if first is None:
                first = footer
            elif _get(footer, FILE_SCHEMA) != _get(first, FILE_SCHEMA):
                raise JoinError(f"{part.name}: its schema differs from {parts[0].name}'s")
            shift = out.tell() - len(MAGIC)
            handle.seek(len(MAGIC))
            remaining = end - len(MAGIC)
            while remaining:
                block = handle.read(min(COPY_BYTES, remaining))
                if not block:
                    raise JoinError(f"{part.name} is shorter than its footer says")
                out.write(block)
                remaining -= len(block)
        for group in _get(footer, FILE_ROW_GROUPS)[1]:
            _move(group, shift)
            group[:] = [f for f in group if f[0] != GROUP_ORDINAL]
            if len(groups) < 2**15:  # an i16
                group.append([GROUP_ORDINAL, I16, len(groups)])
            groups.append(group)
        rows += _get(footer, FILE_NUM_ROWS)
    if first is None:
        raise JoinError("no files to join")
    _set(first, FILE_NUM_ROWS, rows)
    _set(first, FILE_ROW_GROUPS, (STRUCT, groups))
    writer = _Writer()
    writer.struct(first)
    out.write(writer.out)
    out.write(struct.pack("<I", len(writer.out)) + MAGIC)
    return rows
