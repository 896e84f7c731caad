"""Sticker detection and the body outline, on synthetic pictures with known answers."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest

from posture_rules.config import load_config
from posture_rules.pelvis import outline_reading, pick_sticker_pair, sticker_tilt_deg
from vision.landmarks import Landmark
from vision.markers import MarkerColour, find_markers
from vision.outline import body_outline
from vision.pose import Pose

W, H = 640, 480
HIP = np.array([320.0, 300.0])
SHOULDER = np.array([322.0, 150.0])  # a 150 px trunk
GREEN = (40, 220, 70)


def _pose(elbow=None, wrist=None) -> Pose:
    xy = np.zeros((33, 2))
    vis = np.zeros(33)
    for lm in (Landmark.LEFT_HIP, Landmark.RIGHT_HIP):
        xy[lm], vis[lm] = HIP, 0.99
    for lm in (Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER):
        xy[lm], vis[lm] = SHOULDER, 0.99
    if elbow is not None:
        xy[Landmark.RIGHT_ELBOW], vis[Landmark.RIGHT_ELBOW] = elbow, 0.99
        xy[Landmark.RIGHT_WRIST], vis[Landmark.RIGHT_WRIST] = wrist, 0.99
    return Pose(xy=xy, visibility=vis, presence=np.full(33, 0.99), image_size=(W, H), timestamp_s=0.0)


def _disc(img, centre, radius, colour, ss=8):
    """Anti-aliased disc at a sub-pixel centre (supersampled coverage, like a camera), in
    pixel-index coordinates (pixel (i, j) covers i-0.5..i+0.5)."""
    cx, cy = centre
    x0, x1 = int(cx - radius - 2), int(cx + radius + 3)
    y0, y1 = int(cy - radius - 2), int(cy + radius + 3)
    sub = (np.arange(ss) + 0.5) / ss
    yy, xx = np.mgrid[y0:y1, x0:x1]
    cover = np.zeros(yy.shape)
    for dy in sub:
        for dx in sub:
            cover += ((xx + dx - 0.5 - cx) ** 2 + (yy + dy - 0.5 - cy) ** 2 <= radius**2)
    cover /= ss * ss
    region = img[y0:y1, x0:x1].astype(float)
    img[y0:y1, x0:x1] = (cover[..., None] * np.array(colour) + (1 - cover[..., None]) * region).astype(np.uint8)


def _scene(front, back, radius=3.2):
    """A grey room, a red shirt above the hips and dark trousers below, two stickers."""
    img = np.full((H, W, 3), 170, np.uint8)
    img[150:292, 250:400] = (180, 40, 40)  # shirt
    img[292:420, 250:400] = (30, 30, 45)  # trousers
    for c in (front, back):
        if c is not None:
            _disc(img, c, radius, GREEN)
    return cv2.GaussianBlur(img, (3, 3), 0.6)


def test_sticker_centres_to_a_fraction_of_a_pixel_across_clothing_edges():
    # The front sticker straddles the shirt/trousers edge, as an ASIS sticker at the waistband does.
    front, back = (345.3, 291.6), (296.8, 283.4)
    blobs = find_markers(_scene(front, back), _pose(), MarkerColour.parse("green"))
    assert len(blobs.centres) == 2
    found = sorted(map(tuple, blobs.centres))
    for got, want in zip(found, sorted([back, front])):  # pixel-index coordinates, as drawn
        assert np.hypot(got[0] - want[0], got[1] - want[1]) < 0.3, (got, want)
    pair = pick_sticker_pair(blobs, "right", HIP, 150.0, load_config().pelvis)
    true_tilt = math.degrees(math.atan2(front[1] - back[1], front[0] - back[0]))
    assert sticker_tilt_deg(pair.front, pair.back, "right") == pytest.approx(true_tilt, abs=1.0)


def test_hidden_sticker_gives_unknown_with_the_reason():
    blobs = find_markers(_scene((345.3, 291.6), None), _pose(), MarkerColour.parse("green"))
    reason = pick_sticker_pair(blobs, "right", HIP, 150.0, load_config().pelvis)
    assert isinstance(reason, str) and "only one sticker" in reason
    none = find_markers(_scene(None, None), _pose(), MarkerColour.parse("green"))
    assert len(none.centres) == 0 and "green" in none.reason
    empty = find_markers(_scene(None, None), Pose.empty((W, H), 0.0), MarkerColour.parse("green"))
    assert "hidden" in empty.reason


def test_green_far_from_the_hips_and_off_the_body_is_ignored():
    img = _scene((345.3, 291.6), (296.8, 283.4))
    img[40:120, 20:140] = GREEN  # a green sofa across the room
    _disc(img, (420.0, 290.0), 3.2, GREEN)  # a green book just behind the person
    mask = np.zeros((H, W), np.float32)
    mask[150:420, 250:400] = 1.0
    blobs = find_markers(img, _pose(), MarkerColour.parse("green"), mask=mask)
    assert len(blobs.centres) == 2 and (blobs.centres[:, 0] < 400).all()


def test_the_bright_patch_of_a_green_plant_is_no_sticker():
    # A plant behind the belly, taken into the person's mask, has patches as bright as a
    # sticker; unlike a sticker, it is of that hue all around them.
    img = _scene(None, (296.8, 283.4))
    img[255:300, 338:372] = (45, 62, 47)  # leaves in the shade: dull, dark green
    _disc(img, (355.0, 277.0), 3.2, GREEN)  # a leaf in the light
    mask = np.zeros((H, W), np.float32)
    mask[150:420, 250:400] = 1.0
    blobs = find_markers(img, _pose(), MarkerColour.parse("green"), mask=mask)
    assert len(blobs.centres) == 1 and abs(blobs.centres[0, 0] - 296.8) < 0.5
    reason = pick_sticker_pair(blobs, "right", HIP, 150.0, load_config().pelvis)
    assert isinstance(reason, str) and "only one sticker" in reason
    # The same patch on the dark trousers is a sticker.
    kept = _scene((355.0, 277.0), (296.8, 283.4))
    assert len(find_markers(kept, _pose(), MarkerColour.parse("green"), mask=mask).centres) == 2


def test_marker_colour_names_ranges_and_errors():
    assert MarkerColour.parse("green").name == "green"
    c = MarkerColour.parse("340-20,120,80")  # wraps through red
    hsv = cv2.cvtColor(np.array([[[230, 20, 40], [20, 230, 40]]], np.uint8), cv2.COLOR_RGB2HSV)
    score = c.score(hsv)
    assert score[0, 0] > 0.9 and score[0, 1] < 0.1
    with pytest.raises(ValueError, match="marker colour"):
        MarkerColour.parse("chartreuse")


def _body_mask(lordosis_px: float) -> np.ndarray:
    """A side-on torso facing right: the back (image left) has a buttock bulge at the hips and
    a lumbar hollow ``lordosis_px`` deep above it."""
    mask = np.zeros((H, W), np.float32)
    ys = np.arange(H)
    # back edge x(y): buttock bulge around the hips, hollow around 0.4 trunk lengths above.
    back = 280.0 - 14.0 * np.exp(-((ys - 300) / 22.0) ** 2) + lordosis_px * np.exp(-((ys - 238) / 25.0) ** 2)
    for y in range(140, 430):
        mask[y, round(back[y]):380] = 1.0
    return cv2.GaussianBlur(mask, (5, 5), 1.0)


def test_outline_reads_a_deeper_hollow_as_more_anterior_tilt():
    cfg = load_config().pelvis
    readings = []
    for depth in (6.0, 12.0):
        outline = body_outline(_body_mask(depth), _pose())
        assert outline.left.found_share > 0.95 and outline.left.sharpness > 0.5
        r = outline_reading(outline, "right", cfg)
        assert not isinstance(r, str), r
        readings.append(r.index_deg)
    # 6 px more hollow over a 150 px trunk, read through hollow_radius (trunk lengths).
    expected = math.degrees(6.0 / 150.0 / cfg.hollow_radius)
    assert readings[1] - readings[0] == pytest.approx(expected, rel=0.25)


def test_a_hollow_deeper_than_the_trunk_axis_is_still_an_edge():
    """Strong anterior tilt can put the lower back's hollow in front of the hip -> shoulder
    line: the edge is then found inward of the axis (a negative distance), not lost."""
    mask = _body_mask(50.0)  # the hollow's deepest point at x = 330, the axis at x ~ 321
    outline = body_outline(mask, _pose())
    assert outline.left.found_share > 0.95
    y = outline.left.points[:, 1]
    deepest = outline.left.points[np.argmin(np.abs(y - 238.0)), 0]
    assert deepest == pytest.approx(330.0, abs=1.0)
    r = outline_reading(outline, "right", load_config().pelvis)
    assert not isinstance(r, str), r
    # Below the hips the axis may run between the thighs: no edge is invented there.
    legs = np.zeros_like(mask)
    legs[:300, 260:380] = 1.0
    below = body_outline(legs, _pose()).left
    assert np.isnan(below.points[below.levels < -0.05, 0]).all()


def test_an_arm_on_the_back_edge_and_a_missing_mask_are_reasons():
    from posture_rules.pelvis import arm_segments

    cfg = load_config().pelvis
    pose = _pose(elbow=(272.0, 250.0), wrist=(275.0, 290.0))
    arm = body_outline(_body_mask(8.0), pose)
    assert "an arm covers" in outline_reading(arm, "right", cfg, arm_segments(pose.xy, pose.confidence() >= 0.5))
    assert "mask" in outline_reading(body_outline(None, _pose()), "right", cfg)


def _dressed(mask: np.ndarray) -> np.ndarray:
    """The frame behind ``_body_mask``: a grey room, a blue shirt above the hips, dark
    trousers below and a face (skin) above the shoulders."""
    img = np.full((H, W, 3), 150, np.uint8)
    person = mask >= 0.5
    img[person & (np.arange(H)[:, None] < 292)] = (40, 90, 200)
    img[person & (np.arange(H)[:, None] >= 292)] = (35, 35, 45)
    img[143:172, 300:345] = (200, 150, 120)  # the face (skin), above the outline, in the mask
    return img


def test_a_background_object_merged_into_the_hollow_is_refused():
    """A green plant right behind the lower back, taken into the mask, fills the hollow: the
    edge there is not the person's colour, so the outline is refused. Bare skin at the lower
    back is the person's colour (the face has it too) and is read."""
    cfg = load_config().pelvis
    mask = _body_mask(12.0)
    plant = np.zeros_like(mask)
    cv2.circle(plant, (276, 238), 22, 1.0, -1)  # fills the hollow and bulges past it
    merged = np.maximum(mask, plant)
    img = _dressed(merged)
    img[plant >= 0.5] = (40, 120, 50)
    r = outline_reading(body_outline(merged, _pose(), image_rgb=img), "right", cfg)
    assert isinstance(r, str) and "colour" in r
    back = body_outline(merged, _pose(), image_rgb=img).left
    at_plant = np.abs(back.levels - (300 - 238) / 150) < 0.05
    assert np.nanmean(back.foreign[at_plant]) > 0.9
    # Bare skin where the shirt rides up at the back: the face has that colour too. (With no
    # face in view the same skin has no match on the person and is refused.)
    skin = _dressed(mask)
    skin[200:292, :300][mask[200:292, :300] >= 0.5] = (200, 150, 120)
    r = outline_reading(body_outline(mask, _pose(), image_rgb=skin), "right", cfg)
    assert not isinstance(r, str), r
    skin[143:172, 300:345] = (40, 90, 200)
    assert isinstance(outline_reading(body_outline(mask, _pose(), image_rgb=skin), "right", cfg), str)
    clean = body_outline(mask, _pose(), image_rgb=_dressed(mask)).left
    assert np.nanmax(clean.foreign) == 0.0
    # The back sticker sits on the edge in a colour found nowhere else: its blob is the person's.
    sticker = _dressed(mask)
    _disc(sticker, (283.0, 268.0), 4.0, GREEN)
    blobs = find_markers(sticker, _pose(), MarkerColour.parse("green"), mask=mask)
    assert len(blobs.centres) == 1
    at = np.abs(clean.levels - (300 - 268) / 150) < 0.02
    assert np.nanmax(body_outline(mask, _pose(), image_rgb=sticker).left.foreign[at]) > 0.0
    assert np.nanmax(body_outline(mask, _pose(), image_rgb=sticker, stickers=blobs).left.foreign) == 0.0
    # Without the frame nothing is checked (NaN), and the reading stands.
    assert np.isnan(body_outline(merged, _pose()).left.foreign).all()


def _rendered(standing: bool, tilt: float):
    """A rendered side view (tools.synth) of one person: the renderer's own person mask and
    the true landmark positions as the pose."""
    from tools.synth.lunge import lunge_pose, standing_pose
    from tools.synth.perfect_view import PerfectView
    from tools.synth.scenarios import BY_NAME
    from tools.synth.variation import sample_setup

    sc = BY_NAME["calib_tucked_facing_right"]
    setup = sample_setup(sc, 11)
    if standing:
        body = standing_pose(setup.build, arms="chest").with_(pelvic_tilt_deg=tilt)
    else:
        body = lunge_pose(setup.build, setup.hold.with_(pelvic_tilt_deg=tilt, arms="thigh"))
    return PerfectView(setup, sc.facing)(body)


def test_outline_tilt_change_on_rendered_frames():
    """Standing neutral (10 deg) then the lunge tucked (4 deg) and tipped (20 deg): the outline's
    change from neutral follows the true change to within 4 degrees."""
    cfg = load_config().pelvis
    mask, pose, _ = _rendered(True, 10.0)
    neutral = outline_reading(body_outline(mask, pose), "right", cfg)
    assert not isinstance(neutral, str), neutral
    for tilt in (4.0, 20.0):
        mask, pose, _ = _rendered(False, tilt)
        r = outline_reading(body_outline(mask, pose), "right", cfg)
        assert not isinstance(r, str), r
        assert r.index_deg - neutral.index_deg == pytest.approx(tilt - 10.0, abs=4.0)


def test_a_rendered_persons_own_colours_pass_the_colour_check():
    """With the renderer's own mask (nothing merged), people of varied build, skin, clothes and
    light, standing and in the lunge: the back's edge is their colour wherever it is shaded,
    so the outline is never refused for colour."""
    from tools.synth.lunge import lunge_pose, standing_pose
    from tools.synth.perfect_view import PerfectView
    from tools.synth.scenarios import BY_NAME
    from tools.synth.variation import sample_setup

    cfg = load_config().pelvis
    sc = BY_NAME["calib_tucked_facing_right"]
    for seed in range(1, 7):
        setup = sample_setup(sc, seed)
        view = PerfectView(setup, sc.facing)
        for body in (standing_pose(setup.build, arms="chest"), lunge_pose(setup.build, setup.hold.with_(arms="thigh"))):
            mask, pose, _ = view(body)
            outline = body_outline(mask, pose, image_rgb=view.image)
            back = outline.left
            read = (back.levels >= -0.2) & (back.levels <= 0.3 + cfg.lumbar_band_high)
            assert np.nanmean(back.foreign[read]) < 0.5 * cfg.outline_max_foreign, seed
            assert not isinstance(outline_reading(outline, "right", cfg), str), seed


def test_dark_trousers_lit_at_the_edge_are_the_persons_colour():
    """Dark olive trousers: nearly black (hue untrustworthy) in the middle, a little lighter,
    and so clearly green, where they turn away at the buttock's edge. That green is theirs,
    though nothing else on the person is green."""
    cfg = load_config().pelvis
    mask = _body_mask(12.0)
    img = _dressed(mask)
    legs = (mask >= 0.5) & (np.arange(H)[:, None] >= 292)
    img[legs] = (12, 22, 12)  # value 22: too dark for its hue to count on its own
    back_x = np.argmax(mask >= 0.5, axis=1)
    for y in range(292, 360):  # the buttock's back edge, 14 px in: lighter, value 40
        img[y, back_x[y]:back_x[y] + 14] = (20, 40, 20)
    outline = body_outline(mask, _pose(), image_rgb=img)
    assert np.nanmax(outline.left.foreign) == 0.0
    assert not isinstance(outline_reading(outline, "right", cfg), str)
