"""A rendered frame seen perfectly: the renderer's own person mask and the true landmark
positions as the pose, so outline geometry can be studied without a pose model's errors
(tests/vision/test_pelvis_pixels.py, bench/outline_gain.py)."""

from __future__ import annotations

import numpy as np

from tools.synth.kinematics import BodyPose, Skeleton
from tools.synth.person import LANDMARK_POINTS, Placement, figure, pose_person
from tools.synth.render import Renderer
from tools.synth.room import render_background
from tools.synth.variation import Setup
from vision.landmarks import Landmark
from vision.pose import Pose


class PerfectView:
    """Renders body poses of one clip set-up (room, light, camera, person) with truth."""

    def __init__(self, setup: Setup, facing: str):
        self.setup, self.facing = setup, facing
        cam = setup.camera
        self.renderer = Renderer(cam, setup.light, render_background(setup.room, cam, setup.light), setup.fx)
        self.image: np.ndarray | None = None  # the last frame rendered (RGB), room included

    def __call__(self, body: BodyPose) -> tuple[np.ndarray, Pose, Skeleton]:
        """(float32 person mask, the pose of the true landmarks, the skeleton drawn)."""
        s = self.setup
        person = pose_person(s.build, body, Placement(self.facing, s.offset_x))
        self.image = self.renderer.render([figure(person, s.appearance)])
        mask = self.renderer.person_mask().astype(np.float32)
        lms = person.landmarks_world()
        uv, _ = s.camera.project(np.array([lms[name] for name in LANDMARK_POINTS]))
        xy = np.zeros((33, 2))
        for name, p in zip(LANDMARK_POINTS, uv):
            xy[Landmark[name.upper()]] = p - 0.5  # pixel-index coordinates, as a pose model gives
        pose = Pose(xy=xy, visibility=np.full(33, 0.99), presence=np.full(33, 0.99),
                    image_size=(s.camera.width, s.camera.height), timestamp_s=0.0)
        return mask, pose, person.skeleton
