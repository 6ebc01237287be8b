"""Making one knot computation repeat exactly: SnapPea's random numbers and spherogram's set order.

Two sources made a random build differ from run to run (measured in fresh processes, same job):

- SnapPea draws from the C library's ``rand()`` when it simplifies or randomises a triangulation
  (``Link.exterior()``, ``randomize()``, ``identify()``, the canonical cell search): the same PD code gave a
  different triangulation in 4 of 4 processes, and a 16-crossing knot's orbit-search geodesic 0.866 or 1.579.
- spherogram hashes crossings and strands by memory address, so the sets its diagram simplification iterates
  come in a different order in each process: ``random_link`` with a fixed ``random.seed`` gave a different
  PD code each time, and 2 of 500 rows of a build a different knot.
- The edges of spherogram's own graphs (``spherogram.graphs``: ``Link.digraph()``, whose weak components
  split a diagram into the pieces of a connected sum) hash by memory address too, so a piece's crossings
  came in an order that depended on what the process had allocated before: drawing row 300,044 of seed 7
  twice in one process gave two different diagrams of the same knot (2 of 120 rows).

:func:`repeatable` (called at the start of every draw and features job) seeds the first from the job's
label and gives crossings, strands and graph edges hashes in order of creation, counted from 0 per job.
"""
from __future__ import annotations

import ctypes
import itertools
import zlib
from collections.abc import Callable
from typing import Any

_LIBC = ctypes.CDLL(None)  # the process's C library, which SnapPy's compiled kernel links against
_SERIALS = [itertools.count()]  # creation counter of spherogram crossings and strands, reset per job


def seed_snappea(label: str) -> None:
    """Seed ``rand()`` (and ``random()``) from ``label`` (crc32: stable across runs and machines)."""
    seed = zlib.crc32(label.encode())
    _LIBC.srand(ctypes.c_uint(seed))
    _LIBC.srandom(ctypes.c_uint(seed))


def _serial_hash(self: object) -> int:
    try:  # the hot path of diagram simplification (millions of calls per build chunk): no fallback work
        return self._serial  # type: ignore[attr-defined]
    except AttributeError:  # made before serial_hashes() patched the class
        return id(self)


def _with_serial(init: Callable[..., None]) -> Callable[..., None]:
    """A spherogram ``__init__`` that first numbers the new object."""

    def __init__(self: object, *args: Any, **kwargs: Any) -> None:
        self._serial = next(_SERIALS[0])
        init(self, *args, **kwargs)

    __init__.kanrepro_serial = True  # type: ignore[attr-defined]
    return __init__


def _new_with_serial(new: Callable[..., Any]) -> Callable[..., Any]:
    """A spherogram edge's ``__new__`` (edges are tuples: numbered once built) that numbers the new edge."""

    def __new__(cls: type, *args: Any, **kwargs: Any) -> Any:
        edge = new(cls, *args, **kwargs)
        edge._serial = next(_SERIALS[0])
        return edge

    __new__.kanrepro_serial = True  # type: ignore[attr-defined]
    return __new__


def edge_classes() -> list[type]:
    """spherogram's graph edge classes (each hashes by memory address, equality by identity or endpoints)."""
    from spherogram import graphs

    return [c for c in vars(graphs).values() if isinstance(c, type) and issubclass(c, graphs.BaseEdge)]


def serial_hashes() -> None:
    """Hash spherogram's ``Crossing``, ``Strand`` and graph edges by creation order (equality unchanged), from 0."""
    from spherogram.links import links_base

    for cls in (links_base.Crossing, links_base.Strand):
        if not getattr(cls.__init__, "kanrepro_serial", False):
            cls.__init__ = _with_serial(cls.__init__)
            cls.__hash__ = _serial_hash
    for cls in edge_classes():
        own_new = getattr(cls.__dict__.get("__new__"), "__func__", None)  # BaseEdge's and FatEdge's own
        if own_new is not None and not getattr(own_new, "kanrepro_serial", False):
            cls.__new__ = staticmethod(_new_with_serial(own_new))
        if "__hash__" in cls.__dict__:
            cls.__hash__ = _serial_hash
    _SERIALS[0] = itertools.count()


def repeatable(label: str) -> None:
    """Start a job that repeats exactly: SnapPea seeded from ``label``, spherogram's hashes counted from 0."""
    serial_hashes()
    seed_snappea(label)
