"""Synthetic kneeling-lunge footage with exact per-frame truth.

A parametrised 3D body (``body``, ``kinematics``, ``lunge``) is posed per frame, turned into
shaded primitives (``shapes``, ``head``), ray-cast with a z-buffer (``raycast``, ``render``)
in front of a randomised room (``room``), and written as an H.264 MP4 plus a truth CSV whose
columns match the checker's ``frames.csv`` (``truth``, ``clip``). Scenarios live in
``scenarios``; ``python -m tools.synth --help`` is the command line.
"""
