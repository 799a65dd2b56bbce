"""Make CKAN's per-test plugin reload cheaper, with the same outcome.

CKAN's `with_plugins` fixture unloads and loads every plugin around each
test, and `app` builds a new Flask application; each runs
`environment.update_config()` again. Profiled on this suite, three things
in it do nothing but repeat work whose answer cannot change during a test
run, and took most of a test's set-up:

- `toolkit.add_template_directory`, `add_public_directory` and
  `add_resource` call `inspect.stack()` to learn their caller's file. It
  builds a record, with source lines, for every frame of pytest's deep
  stack (each `getmodule` walks `sys.modules`), and only one is used.
  `lazy_stack` makes each record when it is asked for: the same records.
- `ckan.plugins.core._get_service` calls `importlib.metadata.entry_points`,
  which reads the entry points of every installed distribution, for each
  plugin of each reload. The installed distributions do not change while
  the tests run: `entry_points_once` asks once per question.
- CKAN parses its own config declaration (`msgspec.yaml.decode`) and
  ckanext-scheming the same schema files (`yaml.safe_load`) on every
  reload: `decode_once` and `safe_load_once` parse each text or file once
  (a file keyed by its path, size and modification time) and hand out
  deep copies.

These are installed for the whole session by `fixtures.py`; the tests of
this module check that each gives what the original gives.
"""
from __future__ import annotations

import copy
import functools
import inspect
import os
import sys
import types
from collections.abc import Sequence

import msgspec.yaml
import yaml

_original_stack = inspect.stack
_original_safe_load = yaml.safe_load
_original_decode = msgspec.yaml.decode


class LazyStack(Sequence):
    """`inspect.stack()`'s list of `FrameInfo`, each made when read, from
    where each frame was when the stack was asked for (a traceback entry
    keeps that place: `getframeinfo` reads either)."""

    def __init__(self, frame, context: int):
        self._places = []
        while frame:
            self._places.append(
                types.TracebackType(None, frame, frame.f_lasti, frame.f_lineno))
            frame = frame.f_back
        self._context = context

    def __len__(self) -> int:
        return len(self._places)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._record(place) for place in self._places[index]]
        return self._record(self._places[index])

    def _record(self, place) -> inspect.FrameInfo:
        info = inspect.getframeinfo(place, self._context)
        return inspect.FrameInfo(place.tb_frame, *info, positions=info.positions)


def lazy_stack(context: int = 1) -> LazyStack:
    return LazyStack(sys._getframe(1), context)


@functools.cache
def _entry_points(group: str, name: str):
    from importlib.metadata import entry_points
    return entry_points(group=group, name=name)


def entry_points_once(**selection):
    """`importlib.metadata.entry_points(group=…, name=…)`, asked once."""
    if set(selection) != {"group", "name"}:
        from importlib.metadata import entry_points
        return entry_points(**selection)
    return _entry_points(selection["group"], selection["name"])


_parsed: dict[tuple, object] = {}


def safe_load_once(stream):
    """`yaml.safe_load`, parsing each file once; strings are parsed anew."""
    path = getattr(stream, "name", None)
    if not isinstance(path, str) or not os.path.isfile(path):
        return _original_safe_load(stream)
    status = os.stat(path)
    key = (os.path.realpath(path), status.st_size, status.st_mtime_ns)
    if key not in _parsed:
        _parsed[key] = _original_safe_load(stream)
    return copy.deepcopy(_parsed[key])


@functools.cache
def _decoded(buf: bytes):
    return _original_decode(buf)


def decode_once(buf, **options):
    """`msgspec.yaml.decode`, parsing each text once."""
    if options or not isinstance(buf, bytes):
        return _original_decode(buf, **options)
    return copy.deepcopy(_decoded(buf))


def install(monkeypatch) -> None:
    import ckan.plugins.core
    monkeypatch.setattr(inspect, "stack", lazy_stack)
    monkeypatch.setattr(ckan.plugins.core, "entry_points", entry_points_once)
    monkeypatch.setattr(yaml, "safe_load", safe_load_once)
    monkeypatch.setattr(msgspec.yaml, "decode", decode_once)
