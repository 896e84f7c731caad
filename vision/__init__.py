"""Everything about pixels: frame sources, pose estimators, smoothing and drawing.

Submodules are imported explicitly (``from vision.pose import Pose``): this package's
``__init__`` stays empty so that the numpy-only modules (``landmarks``, ``pose``) can be used
by the pure rules core without pulling in OpenCV or MediaPipe.
"""
