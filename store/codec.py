"""One generic JSON codec for the store's row types, used by the API server and the HTTP store.

``to_json(value)`` turns any store value into plain JSON data: a dataclass becomes an object of its
fields, a NamedTuple or tuple an array, a frozenset a sorted array, an enum its value, a datetime
ISO 8601 with its UTC offset, a date ISO 8601. ``from_json(type, data)`` is its inverse, driven by
the type annotations alone (no per-type code): ``from_json(QueueRow, to_json(row)) == row``.

Moments keep their instant and offset (``datetime.fromisoformat``); a naive moment is refused, as
the store refuses them. JSON object keys are strings, so ``dict[int, int]`` keys are converted back.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from collections.abc import Callable, Mapping
from datetime import date, datetime
from enum import Enum
from typing import Any, Union


class CodecError(ValueError):
    """Data that does not fit the type it is decoded as."""


def to_json(value: Any) -> Any:
    """``value`` as plain JSON data (see the module's docstring)."""
    kind = type(value)
    encode = _ENCODERS.get(kind)
    if encode is None:
        encode = _ENCODERS[kind] = _encoder_for(kind)
    return encode(value)


def _same(value: Any) -> Any:
    return value


def _encoder_for(kind: type) -> Callable[[Any], Any]:
    if issubclass(kind, Enum):
        return lambda value: value.value
    if issubclass(kind, datetime):

        def moment(value: datetime) -> str:
            if value.tzinfo is None or value.utcoffset() is None:
                raise CodecError(f"naive datetime {value!r}")
            return value.isoformat()

        return moment
    if issubclass(kind, date):
        return lambda value: value.isoformat()
    if issubclass(kind, (bool, int, float, str)):
        return _same
    if dataclasses.is_dataclass(kind):
        names = tuple(f.name for f in dataclasses.fields(kind))
        return lambda value: {name: to_json(getattr(value, name)) for name in names}
    if issubclass(kind, Mapping):
        return lambda value: {str(to_json(k)): to_json(v) for k, v in value.items()}
    if issubclass(kind, (set, frozenset)):

        def unordered(value):
            items = [to_json(v) for v in value]
            try:
                return sorted(items)
            except TypeError:
                return items

        return unordered
    if issubclass(kind, (list, tuple)):  # NamedTuples too: arrays, as their JSON schema says
        return lambda value: [to_json(v) for v in value]
    raise CodecError(f"cannot encode {kind.__name__}")


_ENCODERS: dict[type, Callable[[Any], Any]] = {
    type(None): _same,
    str: _same,
    int: _same,
    bool: _same,
    float: _same,
}


def from_json(tp: Any, data: Any) -> Any:
    """``data`` (plain JSON) as a value of type ``tp``."""
    return decoder(tp)(data)


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _is_namedtuple(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, tuple) and hasattr(tp, "_fields")


@functools.cache
def decoder(tp: Any) -> Callable[[Any], Any]:
    """The decoding function for ``tp``, built once from its annotations."""
    if tp is Any or tp is object:
        return _same
    origin = typing.get_origin(tp)
    if origin is Union or origin is types.UnionType:
        args = typing.get_args(tp)
        nullable = type(None) in args
        options = [decoder(arg) for arg in args if arg is not type(None)]

        def union(data):
            if data is None:
                if nullable:
                    return None
                raise CodecError(f"null where {tp} is expected")
            if len(options) == 1:
                return options[0](data)
            errors = []
            for option in options:
                try:
                    return option(data)
                except (CodecError, ValueError, TypeError) as exc:
                    errors.append(str(exc))
            raise CodecError(f"{data!r} fits none of {tp}: {'; '.join(errors)}")

        return union
    if origin in (tuple, list, set, frozenset):
        args = typing.get_args(tp)

        def array(data):
            if not isinstance(data, list):
                raise CodecError(f"expected an array for {tp}, got {type(data).__name__}")
            return data

        if origin is tuple and args and not (len(args) == 2 and args[1] is Ellipsis):
            items = [decoder(arg) for arg in args]

            def fixed(data):
                if len(array(data)) != len(items):
                    raise CodecError(f"expected {len(items)} items for {tp}, got {len(data)}")
                return tuple(item(value) for item, value in zip(items, data, strict=False))

            return fixed
        item = decoder(args[0]) if args else _same
        return lambda data: origin(item(value) for value in array(data))
    if origin in (dict, Mapping) or tp is dict:
        key_type, value_type = typing.get_args(tp) or (str, Any)
        key, value = decoder(key_type), decoder(value_type)

        def mapping(data):
            if not isinstance(data, dict):
                raise CodecError(f"expected an object for {tp}, got {type(data).__name__}")
            return {key(k): value(v) for k, v in data.items()}

        return mapping
    if not isinstance(tp, type):
        raise CodecError(f"cannot decode {tp!r}")
    if dataclasses.is_dataclass(tp):
        hints = _hints(tp)
        fields = [
            (
                f.name,
                decoder(hints[f.name]),
                f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING,
            )
            for f in dataclasses.fields(tp)
        ]

        def record(data):
            if not isinstance(data, dict):
                raise CodecError(f"expected an object for {tp.__name__}")
            values = {}
            for name, decode, required in fields:
                if name in data:
                    values[name] = decode(data[name])
                elif required:
                    raise CodecError(f"{tp.__name__}: field {name} missing")
            return tp(**values)

        return record
    if _is_namedtuple(tp):
        hints = _hints(tp)
        parts = [decoder(hints.get(name, Any)) for name in tp._fields]

        def named(data):
            if isinstance(data, dict):
                data = [data[name] for name in tp._fields]
            if not isinstance(data, list) or len(data) != len(parts):
                raise CodecError(f"expected {len(parts)} items for {tp.__name__}")
            return tp(*(part(value) for part, value in zip(parts, data, strict=False)))

        return named
    if issubclass(tp, Enum):
        return tp
    if issubclass(tp, datetime):

        def moment(data):
            if not isinstance(data, str):
                raise CodecError(f"expected an ISO moment, got {data!r}")
            value = datetime.fromisoformat(data)
            if value.tzinfo is None:
                raise CodecError(f"moment without a time zone: {data!r}")
            return value

        return moment
    if issubclass(tp, date):

        def day(data):
            if not isinstance(data, str):
                raise CodecError(f"expected an ISO date, got {data!r}")
            return date.fromisoformat(data)

        return day
    if tp is bool:

        def boolean(data):
            if not isinstance(data, bool):
                raise CodecError(f"expected a boolean, got {data!r}")
            return data

        return boolean
    if tp is int:

        def integer(data):
            if isinstance(data, bool) or not isinstance(data, (int, str)):
                raise CodecError(f"expected an integer, got {data!r}")
            return int(data)  # object keys arrive as strings

        return integer
    if tp is float:

        def number(data):
            if isinstance(data, bool) or not isinstance(data, (int, float)):
                raise CodecError(f"expected a number, got {data!r}")
            return float(data)

        return number
    if tp is str:

        def text(data):
            if not isinstance(data, str):
                raise CodecError(f"expected text, got {data!r}")
            return data

        return text
    raise CodecError(f"cannot decode {tp!r}")


__all__ = ["CodecError", "decoder", "from_json", "to_json"]
