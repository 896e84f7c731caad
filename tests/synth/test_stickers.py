"""Pelvic stickers in the generator: on the true ASIS/PSIS line, drawn where visible, and the
neutral-calibration stand with its truth."""

from __future__ import annotations

import csv
import math

import numpy as np
import pytest

from tools.synth.appearance import Appearance
from tools.synth.body import BUILDS
from tools.synth.clip import generate_clip
from tools.synth.kinematics import forward_kinematics
from tools.synth.lunge import LungeParams, lunge_pose
from tools.synth.scenarios import BY_NAME
from tools.synth.shapes import body_primitives
from tools.synth.stickers import sticker_points
from tools.synth.truth import measure


@pytest.mark.parametrize("tilt", [-6.0, 4.0, 23.0])
@pytest.mark.parametrize("build", ["slim_short", "broad_tall"])
def test_sticker_line_is_the_true_tilt(tilt, build):
    b = BUILDS[build]
    sk = forward_kinematics(b, lunge_pose(b, LungeParams(pelvic_tilt_deg=tilt)))
    pts = sticker_points(sk, body_primitives(sk, Appearance()), "right")
    (asis, n_a), (psis, n_p) = pts["asis_sticker"], pts["psis_sticker"]
    d = asis - psis  # body frame: x forward, y up
    assert math.degrees(math.atan2(-d[1], d[0])) == pytest.approx(measure(sk).pelvic_tilt_deg, abs=1e-6)
    assert n_a[0] > 0 > n_p[0] and n_a[2] > 0 and n_p[2] > 0  # on the skin, facing front/back and the camera
    assert np.linalg.norm(asis - sk.joints["right_asis"]) < 0.1  # over the bone, not somewhere else


def test_sticker_clip_draws_both_and_starts_with_the_calibration(tmp_path):
    sc = BY_NAME["markers_tucked"]
    generate_clip(sc, 4, tmp_path, "m", size=(320, 240), max_frames=4, write_video=False)
    with (tmp_path / "m.joints.csv").open(newline="") as fh:
        joints = list(csv.DictReader(fh))
    assert all(r["asis_sticker_vis"] == "1" and r["psis_sticker_vis"] == "1" for r in joints)
    with (tmp_path / "m.truth.csv").open(newline="") as fh:
        truth = list(csv.DictReader(fh))
    assert {r["segment"] for r in truth} == {"kneel"}  # the first frames are the 3 s calibration kneel
    assert all(float(r["pelvic_tilt_change_deg"]) == pytest.approx(0.0, abs=1e-3) for r in truth)
    assert 5.0 <= float(truth[0]["pelvic_tilt_deg"]) <= 15.0  # this person's own neutral
