"""Keep the native pose libraries' log lines off a user's terminal.

MediaPipe and TensorFlow Lite print INFO/WARNING lines ("Created TensorFlow Lite XNNPACK
delegate", "Feedback manager requires ...") straight to file descriptor 2 from C++, where no
Python setting or environment variable reaches them. A command-line user should see our one
line, not theirs, so while the context is active fd 2 goes to /dev/null (or the file named by
STRETCHCHECK_NATIVE_LOG), and Python's own ``sys.stderr`` keeps writing to the real terminal.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def quiet_native_stderr() -> Iterator[None]:
    try:
        sys.stderr.flush()
        original_fd = os.dup(2)
    except (OSError, ValueError):  # no usable fd 2 (embedded interpreter): nothing to hide
        yield
        return
    target = os.environ.get("STRETCHCHECK_NATIVE_LOG") or os.devnull
    sink = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    python_stderr = sys.stderr
    sys.stderr = os.fdopen(os.dup(original_fd), "w", buffering=1, encoding="utf-8", errors="replace")
    os.dup2(sink, 2)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(original_fd, 2)
        sys.stderr.close()
        sys.stderr = python_stderr
        os.close(original_fd)
        os.close(sink)
