"""Pure rules core: from a ``Pose`` to measurements, phases and form flags.

Plain numpy only — no OpenCV, MediaPipe, ONNX Runtime or Streamlit — so the rules can be
tested by hand and run anywhere. The only imports from ``vision`` are its numpy-only value
types (``vision.pose``, ``vision.landmarks``); a test checks that importing this package pulls
in no pixel or UI library.
"""
