"""Releasing the C heap's free pages: works on this machine's glibc, and only every N frames."""

from __future__ import annotations

import numpy as np

from stretchcheck import native_memory
from stretchcheck.native_memory import PeriodicRelease, release_free_memory


def _rss_mib() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * 4096 / 2**20


def test_release_returns_freed_heap_pages():
    # Many mid-sized blocks (below glibc's raised mmap threshold once one large block has been
    # freed) with every other one kept alive: the freed ones are holes in the heap that only
    # malloc_trim gives back.
    big = np.ones(4 * 2**20 // 8)
    del big  # freeing a mapped 4 MiB block raises glibc's mmap threshold to 4 MiB
    blocks = [np.ones(200_000) for _ in range(400)]  # 400 x 1.6 MB
    keep = blocks[::8]
    del blocks
    before = _rss_mib()
    assert release_free_memory()
    after = _rss_mib()
    assert after < before - 100, (before, after)
    del keep


def test_periodic_release_counts_frames(monkeypatch):
    calls = []
    monkeypatch.setattr(native_memory, "release_free_memory", lambda: calls.append(1) or True)
    release = PeriodicRelease(every=3)
    for _ in range(10):
        release.tick()
    assert len(calls) == 3
