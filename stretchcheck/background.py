"""Run a function on a stream of items in one background thread, in order.

Why: in ``analyze``, pose inference must run frame after frame (each frame's tracking needs
the previous frame's landmarks), but what happens to a pose afterwards (the pelvis probe,
smoothing, the rules, frames.csv, handing the frame to the video writer) does not have to
wait for the next frame's inference. ONNX Runtime releases the GIL while it runs, so this
Python work, done in a second thread, overlaps inference instead of adding to it.

One thread and a FIFO queue keep the order, so the results (frames.csv, flags) are exactly
those of a plain loop; a bounded queue keeps memory flat. An exception in the worker is
raised in the caller by the next ``submit`` or by ``close``; the worker then stops taking
items.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any


class InOrder:
    """``submit(*args)`` queues ``fn(*args)``; ``close()`` waits until all have run."""

    def __init__(self, fn: Callable[..., None], maxsize: int = 8, name: str = "in-order"):
        self._fn = fn
        self._queue: queue.Queue[tuple[Any, ...] | None] = queue.Queue(maxsize=maxsize)
        self._error: BaseException | None = None
        self._failed = False  # once set, the worker skips the remaining items
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()
        self._closed = False

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            if not self._failed:
                try:
                    self._fn(*item)
                except BaseException as exc:  # noqa: BLE001 (handed to the submitting thread)
                    self._error, self._failed = exc, True

    def _raise(self) -> None:
        """Raise the worker's error in the calling thread, once."""
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def submit(self, *args: Any) -> None:
        self._raise()
        self._queue.put(args)

    def close(self) -> None:
        """Run everything queued, stop the thread, raise an error the worker met. Idempotent."""
        if not self._closed:
            self._closed = True
            self._queue.put(None)
            self._thread.join()
        self._raise()

    def __enter__(self) -> InOrder:  # noqa: PYI034
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *exc: object) -> None:
        if exc_type is None:
            self.close()
            return
        # Already unwinding (an error or Ctrl-C in the submitting loop): finish what was
        # queued, so every frame handed over is written, and let that exception through.
        try:
            self.close()
        except Exception:  # noqa: BLE001, S110 (the exception already unwinding matters more)
            pass
