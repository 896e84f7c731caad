"""Pelvic tilt geometry, the neutral calibration and the tilt flags, checked by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from posture_rules.checker import FormChecker
from posture_rules.config import ConfigError, load_config, parse_config
from posture_rules.pelvis import (
    NeutralTilt,
    OutlineReading,
    StickerPair,
    combine,
    lean_change_deg,
    pick_sticker_pair,
    sticker_tilt_deg,
)
from posture_rules.types import Measurement
from tests.posture_rules.stick import lunge_pose, standing_pose
from vision.pelvis_types import BodyOutline, MarkerBlobs, PelvisView, SideOutline

CFG = load_config()
PELVIS = CFG.pelvis
FPS = 30.0


# --- sticker geometry ------------------------------------------------------------------------


def test_front_sticker_lower_is_anterior_for_either_facing():
    # Facing right: the front (ASIS) sticker is on the right. 10 px lower over 40 px: atan(1/4).
    assert sticker_tilt_deg((340, 210), (300, 200), "right") == pytest.approx(math.degrees(math.atan(0.25)))
    # The same body seen in a mirror faces left: same tilt.
    assert sticker_tilt_deg((300, 210), (340, 200), "left") == pytest.approx(math.degrees(math.atan(0.25)))
    assert sticker_tilt_deg((340, 200), (300, 200), "right") == pytest.approx(0.0)
    # Front sticker higher: posterior tilt (tucked), negative.
    assert sticker_tilt_deg((340, 190), (300, 200), "right") == pytest.approx(-math.degrees(math.atan(0.25)))


def _blobs(*centres, scores=None):
    c = np.array(centres, float)
    return MarkerBlobs(c, np.full(len(c), 30.0), np.array(scores or [0.9] * len(c)))


def test_pair_front_is_the_one_toward_the_facing_direction_and_mirrors():
    blobs = _blobs((300, 200), (340, 210))
    pair = pick_sticker_pair(blobs, "right", (320, 215), 120.0, PELVIS)
    assert isinstance(pair, StickerPair) and pair.front == (340, 210) and pair.back == (300, 200)
    tilt = sticker_tilt_deg(pair.front, pair.back, "right")
    mirrored = blobs.mirrored(640)
    mpair = pick_sticker_pair(mirrored, "left", (640 - 320, 215), 120.0, PELVIS)
    assert sticker_tilt_deg(mpair.front, mpair.back, "left") == pytest.approx(tilt)


def test_pair_reasons_when_stickers_are_missing_or_implausible():
    one = pick_sticker_pair(_blobs((300, 200)), "right", (320, 215), 120.0, PELVIS)
    assert isinstance(one, str) and "only one sticker" in one
    none = pick_sticker_pair(MarkerBlobs.none("no green sticker found near the hips"), "right", (320, 215), 120.0, PELVIS)
    assert none == "no green sticker found near the hips"
    close = pick_sticker_pair(_blobs((300, 200), (304, 201)), "right", (320, 215), 120.0, PELVIS)
    assert isinstance(close, str) and "not a front/back pair" in close
    vertical = pick_sticker_pair(_blobs((300, 160), (305, 220)), "right", (320, 215), 120.0, PELVIS)
    assert isinstance(vertical, str)
    # A green thing far from the hips is not half of a pair.
    far = pick_sticker_pair(_blobs((300, 200), (600, 40)), "right", (320, 215), 120.0, PELVIS)
    assert isinstance(far, str)


def test_a_sticker_under_a_hand_is_left_out():
    """Hands on the hips: the part of the front sticker showing between the fingers is not
    its centre, so a candidate within sticker_hand_clearance of a hand point does not count."""
    blobs = _blobs((300, 200), (340, 210))
    reach = PELVIS.sticker_hand_clearance * 120.0
    hidden = pick_sticker_pair(blobs, "right", (320, 215), 120.0, PELVIS, [(340 + 0.8 * reach, 210)])
    assert isinstance(hidden, str) and "hand" in hidden
    clear = pick_sticker_pair(blobs, "right", (320, 215), 120.0, PELVIS, [(340 + 1.5 * reach, 210)])
    assert isinstance(clear, StickerPair) and clear.front == (340.0, 210.0)
    # A third candidate: the pair is made of the two the hand leaves free.
    three = _blobs((300, 200), (340, 210), (352, 200), scores=[0.9, 0.5, 0.95])
    assert pick_sticker_pair(three, "right", (320, 215), 120.0, PELVIS).front == (352.0, 200.0)
    pair = pick_sticker_pair(three, "right", (320, 215), 120.0, PELVIS, [(354, 199)])
    assert isinstance(pair, StickerPair) and pair.front == (340.0, 210.0)


# --- the neutral -----------------------------------------------------------------------------


def _feed(neutral: NeutralTilt, t0: float, seconds: float, *, in_lunge=False, hip=(320.0, 200.0), speed=0.0,
          stickers=None, outline=None, lean=0.0):
    n = round(seconds * FPS)
    for i in range(n):
        t = t0 + i / FPS
        neutral.update(t, True, in_lunge, (hip[0] + speed * t, hip[1]), 150.0, stickers, outline, lean)
    return t0 + n / FPS


def test_neutral_is_the_median_of_the_still_seconds_before_the_lunge():
    neutral = NeutralTilt(PELVIS)
    t = _feed(neutral, 0.0, 2.0, stickers=11.0, outline=40.0)
    t = _feed(neutral, t, 1.0, in_lunge=True, stickers=20.0, outline=55.0)  # the lunge: ignored
    assert neutral.ready
    assert neutral.values.stickers_deg == pytest.approx(11.0)
    assert neutral.values.outline_deg == pytest.approx(40.0)
    assert neutral.values.end_s < 2.0 and not neutral.values.explicit


def test_moving_hips_are_not_relaxed_and_a_lunge_first_means_no_neutral():
    walking = NeutralTilt(PELVIS)
    _feed(walking, 0.0, 2.0, speed=100.0, stickers=11.0)  # 100 px/s over a 150 px trunk
    assert walking.state == "waiting"
    early = NeutralTilt(PELVIS)
    _feed(early, 0.0, 1.0, in_lunge=True, stickers=11.0)
    assert early.state == "missed" and "before" in early.reason()


def test_explicit_window_takes_those_seconds_whatever_the_pose():
    neutral = NeutralTilt(PELVIS, start_s=2.0)
    t = _feed(neutral, 0.0, 2.0, stickers=30.0)  # before the window
    t = _feed(neutral, t, 3.2, in_lunge=True, stickers=12.0)
    assert neutral.ready and neutral.values.explicit
    assert neutral.values.stickers_deg == pytest.approx(12.0)
    neutral.restart(10.0)  # the app's button: again
    assert neutral.state == "waiting"


def _upright(change_deg: float, neutral_lean: float = 0.0) -> float:
    """The trunk lean the pose model reads for a trunk as upright as in the calibration, over a
    pelvis ``change_deg`` forward of its neutral (its two known errors: the calibration reads
    ``neutral_lean_bias_deg`` forward, a tipped pelvis ``lean_per_tilt`` back per degree)."""
    return neutral_lean - PELVIS.neutral_lean_bias_deg - PELVIS.lean_per_tilt * change_deg


def test_combine_names_the_method_and_the_neutral_it_used():
    neutral = NeutralTilt(PELVIS)
    pair = StickerPair((340, 210), (300, 200), 0.9)
    outline = OutlineReading(index_deg=PELVIS.outline_typical_neutral_deg + 8.0, lordosis_deg=20.0, confidence=0.8)
    # No neutral yet: both methods fall back on a typical neutral and say so, with people's
    # spread about it as the uncertainty and half the confidence.
    r = combine(pair, 14.0, outline, 0.0, neutral, PELVIS)
    assert r.tilt.value == 14.0 and r.tilt.method == "stickers"
    assert r.change.value == pytest.approx(14.0 - PELVIS.typical_neutral_deg) and "typical" in r.change.method
    assert r.change.uncertainty == PELVIS.typical_neutral_uncertainty_deg and r.change.confidence == pytest.approx(0.45)
    lean = -PELVIS.lean_per_tilt * 8.0 + PELVIS.outline_typical_neutral_lean_deg  # upright, as the typical neutral
    r = combine("only one sticker visible near the hips", None, outline, lean, neutral, PELVIS)
    assert r.change.value == pytest.approx(8.0) and r.change.method == "outline, change from a typical neutral (not calibrated)"
    assert r.change.uncertainty == pytest.approx(PELVIS.outline_typical_neutral_uncertainty_deg) and r.change.confidence == pytest.approx(0.4)
    assert r.tilt.value is None  # the outline alone never gives absolute tilt
    # Calibrated: the person's own neutral, no assumed spread.
    _feed(neutral, 0.0, 3.5, stickers=10.0, outline=40.0)
    assert neutral.ready
    r = combine("hidden", None, OutlineReading(48.0, None, 0.8), _upright(8.0), neutral, PELVIS)
    assert r.change.value == pytest.approx(8.0) and r.change.method == "outline, change from neutral"
    assert r.change.uncertainty == pytest.approx(0.0) and r.change.confidence == pytest.approx(0.8)
    assert r.tilt.value == pytest.approx(18.0) and "stickers' neutral" in r.tilt.method  # absolute via stickers
    # A leaning trunk taken out of the reading still leaves the absolute tilt, with the
    # correction's uncertainty.
    leaning = combine("hidden", None, OutlineReading(48.0 + PELVIS.outline_lean_gain * 10.0, None, 0.8),
                      _upright(8.0 + PELVIS.outline_lean_gain * 10.0) + 10.0, neutral, PELVIS)
    assert leaning.change.value == pytest.approx(8.0) and leaning.tilt.value == pytest.approx(18.0)
    assert leaning.tilt.uncertainty == pytest.approx(PELVIS.outline_lean_gain_sd * 10.0) == leaning.change.uncertainty
    implausible = combine("hidden", None, OutlineReading(80.0, None, 0.8), 2.0, neutral, PELVIS)
    assert implausible.change.value is None and "more than a pelvis turns" in implausible.change.reason
    unknown_lean = combine("hidden", None, OutlineReading(48.0, None, 0.8), None, neutral, PELVIS)
    assert unknown_lean.change.value is None and "lean unknown" in unknown_lean.change.reason
    off = combine(None, None, None, 0.0, neutral, PELVIS)
    assert off.tilt.value is None and "rotation axis" in off.tilt.reason


def test_a_leaning_trunk_is_taken_out_of_the_outline_reading():
    """A trunk leaning forward moves the lower back's outline as anterior tilt would
    (``outline_lean_gain`` per degree, the pelvis still); that share is taken out, with its
    spread between people added to the uncertainty, and only a lean past
    ``outline_max_lean_change_deg`` leaves the outline unread."""
    neutral = NeutralTilt(PELVIS)
    _feed(neutral, 0.0, 3.5, outline=40.0, lean=3.0)
    assert neutral.ready and neutral.values.lean_deg == pytest.approx(3.0)
    g, k = PELVIS.outline_lean_gain, PELVIS.lean_per_tilt
    # Upright trunk over a pelvis 14 deg forward: the model reads the trunk leaning back, by
    # both known errors; with them taken out there is no lean, and the tilt is read whole.
    tipped = combine("hidden", None, OutlineReading(54.0, None, 0.8), _upright(14.0, 3.0), neutral, PELVIS)
    assert tipped.change.value == pytest.approx(14.0) and tipped.change.uncertainty == pytest.approx(0.0)
    assert lean_change_deg(_upright(14.0, 3.0), 3.0 - PELVIS.neutral_lean_bias_deg, 14.0, PELVIS) == pytest.approx(0.0)
    # The trunk leans 20 deg forward, the pelvis stays at its neutral: the outline moves by
    # g * 20 as if the pelvis had tipped, and the lean it comes with takes it back out.
    moved = g * 20.0
    leaning = combine("hidden", None, OutlineReading(40.0 + moved, None, 0.8), _upright(moved, 3.0) + 20.0,
                      neutral, PELVIS)
    assert leaning.change.value == pytest.approx(0.0, abs=1e-9)
    assert leaning.change.uncertainty == pytest.approx(PELVIS.outline_lean_gain_sd * 20.0)
    # A tilt under a lean: both show in the outline; the tilt is what is left.
    both = combine("hidden", None, OutlineReading(40.0 + 10.0 + moved, None, 0.8), _upright(10.0 + moved, 3.0) + 20.0,
                   neutral, PELVIS)
    assert both.change.value == pytest.approx(10.0, abs=1e-9)
    # Past the limit the correction would outweigh the tilt: no reading, and why.
    far = PELVIS.outline_max_lean_change_deg + 5.0
    too_far = combine("hidden", None, OutlineReading(40.0, None, 0.8), _upright(0.0, 3.0) + far, neutral, PELVIS)
    assert too_far.change.value is None and "leans" in too_far.change.reason
    assert k > 0 and 0 < g < 1


def test_a_flag_on_an_assumed_neutral_must_clear_its_uncertainty():
    """With no calibration the change carries people's spread as its uncertainty: a value
    past the limit by less than that raises nothing, one past it by more raises the flag."""
    from posture_rules.temporal import FlagTracker

    rule = CFG.rule("anterior_pelvic_tilt")
    u = PELVIS.outline_typical_neutral_uncertainty_deg

    def raised(value: float, uncertainty: float) -> bool:
        tracker = FlagTracker(rule, CFG.flags)
        for i in range(60):
            tracker.update(i / FPS, i, value, True, None, uncertainty)
        return tracker.active

    assert raised(rule.above + 1.0, 0.0)
    assert not raised(rule.above + u - 0.5, u)
    assert raised(rule.above + u + 1.0, u)


def test_an_uncertain_tuck_does_not_clear_a_missing_glute():
    """no_glute_engagement counts a tucked pelvis as the glute working, but only a tuck past
    its limit by more than the tilt's uncertainty: a tuck read against an assumed neutral
    cannot clear the fault the rear hip shows."""
    from posture_rules.temporal import FlagTracker

    rule = CFG.rule("no_glute_engagement")
    tucked = rule.and_above - 3.0

    def raised(gate_uncertainty: float) -> bool:
        tracker = FlagTracker(rule, CFG.flags)
        for i in range(60):
            tracker.update(i / FPS, i, rule.below - 5.0, True, tucked, 0.0, gate_uncertainty)
        return tracker.active

    assert not raised(0.0)  # a sure tuck: the glute works
    assert raised(PELVIS.outline_typical_neutral_uncertainty_deg)


def test_a_tuck_read_against_an_assumed_neutral_never_clears_a_missing_glute():
    """An arm or a loose shirt over the hollow reads as a tuck: without a calibrated
    neutral, however tucked the outline reads, the flat rear hip still raises the flag."""
    from posture_rules.checker import _gate_uncertainty

    assumed = Measurement(-40.0, confidence=0.4, method="outline, change from a typical neutral (not calibrated)",
                          uncertainty=PELVIS.outline_typical_neutral_uncertainty_deg)
    calibrated = Measurement(-40.0, confidence=0.8, method="outline, change from neutral", uncertainty=1.5)
    assert _gate_uncertainty(assumed) == math.inf
    assert _gate_uncertainty(calibrated) == 1.5 and _gate_uncertainty(None) == 0.0


# --- flags on tilt ---------------------------------------------------------------------------


def _with_markers(pose, tilt_deg: float):
    """The pose carrying two sticker centres 40 px apart at ``tilt_deg`` (facing right)."""
    hip = pose.xy[23]
    back = hip + np.array([-25.0, -20.0])
    front = back + 40.0 * np.array([math.cos(math.radians(tilt_deg)), math.sin(math.radians(tilt_deg))])
    return pose.with_pelvis(PelvisView(markers=_blobs(tuple(front), tuple(back))))


def _session(segments):
    """(seconds, kind, tilt, lunge kwargs) segments -> poses with stickers, 30 fps."""
    poses, t = [], 0.0
    for seconds, kind, tilt, kw in segments:
        for _ in range(round(seconds * FPS)):
            base = standing_pose(t=t) if kind == "stand" else lunge_pose(t=t, **kw)
            poses.append(_with_markers(base, tilt))
            t += 1 / FPS
    return poses


def _run(poses, **kw):
    checker = FormChecker(**kw)
    results = [checker.update(p, i) for i, p in enumerate(poses)]
    return results, checker.finish(), checker


def test_anterior_tilt_against_neutral_raises_after_persisting_and_clears_with_hysteresis():
    poses = _session([(2.0, "stand", 12.0, {}), (2.0, "lunge", 6.0, {}), (1.2, "lunge", 24.0, {}),
                      (0.3, "lunge", 15.5, {}), (1.5, "lunge", 6.0, {})])
    results, episodes, checker = _run(poses)
    assert checker.neutral.values.stickers_deg == pytest.approx(12.0, abs=0.01)
    apt = [e for e in episodes if e.code == "anterior_pelvic_tilt"]
    assert len(apt) == 1
    # Raised 0.5 s after the tilt went past neutral + 5 (at 4.0 s); 15.5 (+3.5) is inside the
    # 3-degree hysteresis band, so the flag holds through it and clears after 0.5 s of +-6.
    # The readings' 0.2 s running median (RecentMedian) shifts each step by ~0.1 s.
    lag = 0.1
    assert apt[0].start_s == pytest.approx(4.0 + lag, abs=2 / FPS)
    assert apt[0].end_s == pytest.approx(5.5 + lag, abs=2 / FPS)
    raised = next(r.time_s for r in results if "anterior_pelvic_tilt" in r.flags)
    assert raised == pytest.approx(4.5 + lag, abs=2 / FPS)
    held = [r for r in results if 3.0 < r.time_s < 3.9]
    assert all(r.measurements.pelvic_tilt_change_deg.value == pytest.approx(-6.0, abs=0.01) for r in held)
    assert held[0].measurements.pelvic_tilt_change_deg.method == "stickers, change from neutral"


def test_same_absolute_tilt_is_a_fault_for_one_person_and_not_another():
    """20 deg is 8 deg forward of a 12-deg neutral, but 2 deg behind a 22-deg one."""
    for neutral, expected in ((12.0, True), (22.0, False)):
        poses = _session([(2.0, "stand", neutral, {}), (3.0, "lunge", 20.0, {})])
        _, episodes, _ = _run(poses)
        assert any(e.code == "anterior_pelvic_tilt" for e in episodes) is expected, neutral


def test_no_glute_needs_no_tuck_while_tilt_is_known_and_the_hip_alone_otherwise():
    flat_hip = {"rear_hip_extension_deg": 0.0}
    tucked = _session([(2.0, "stand", 12.0, {}), (3.0, "lunge", 4.0, flat_hip)])  # 8 deg tucked
    _, episodes, _ = _run(tucked)
    assert not any(e.code == "no_glute_engagement" for e in episodes)
    untucked = _session([(2.0, "stand", 12.0, {}), (3.0, "lunge", 12.0, flat_hip)])
    _, episodes, _ = _run(untucked)
    assert [e.code for e in episodes] == ["no_glute_engagement"]
    plain = [lunge_pose(t=i / FPS, **flat_hip) for i in range(90)]  # no tilt method at all
    _, episodes, _ = _run(plain)
    assert [e.code for e in episodes] == ["no_glute_engagement"]


def test_neutral_from_seconds_overrides_the_automatic_window():
    poses = _session([(1.0, "stand", 30.0, {}), (3.2, "stand", 12.0, {}), (2.0, "lunge", 6.0, {})])
    _, _, checker = _run(poses, neutral_from_s=1.0)
    assert checker.neutral.values.stickers_deg == pytest.approx(12.0, abs=0.01)


def test_rule_second_condition_is_validated():
    import tomllib

    from posture_rules.config import DEFAULT_RULES_PATH

    raw = tomllib.loads(DEFAULT_RULES_PATH.read_text())
    raw["rules"]["no_glute_engagement"]["and_metric"] = "pelvic_tilt"
    with pytest.raises(ConfigError, match="and_metric"):
        parse_config(raw)
    raw["rules"]["no_glute_engagement"]["and_metric"] = "pelvic_tilt_change_deg"
    del raw["rules"]["no_glute_engagement"]["and_above"]
    with pytest.raises(ConfigError, match="and_above"):
        parse_config(raw)
    raw = tomllib.loads(DEFAULT_RULES_PATH.read_text())
    raw["pelvis"]["neutral_min_s"] = 5.0
    with pytest.raises(ConfigError, match="neutral_min_s"):
        parse_config(raw)


def test_the_neutral_takes_a_reading_only_with_the_arms_clear_of_the_back():
    """The calibration takes the outline only with the wrists raised (a hanging arm covers the
    lower back's hollow) and nearly all of the outline clear of the arms: every later reading
    is measured from it."""
    from posture_rules.pelvis import calibration_reading

    cfg = load_config().pelvis
    assert cfg.outline_min_seen < cfg.neutral_min_seen <= 1.0
    clear = OutlineReading(40.0, None, 0.9, seen_share=1.0)
    partly = OutlineReading(40.0, None, 0.6, seen_share=cfg.outline_min_seen + 0.05)
    assert calibration_reading(clear, True, cfg) == 40.0
    assert "an arm covered" in calibration_reading(partly, True, cfg)
    assert "fold them" in calibration_reading(clear, False, cfg)
    assert calibration_reading("an arm covers the lower back's hollow", True, cfg) == "an arm covers the lower back's hollow"
    assert calibration_reading(None, True, cfg) is None


def test_wrists_raised_means_every_visible_wrist_well_above_the_hips():
    from posture_rules.pelvis import wrists_raised

    cfg = load_config().pelvis
    hip, shoulder = (320.0, 300.0), (320.0, 150.0)  # a 150 px trunk
    assert wrists_raised([(340.0, 200.0)], hip, shoulder, cfg)  # wrist 0.67 up: at the chest
    # Folded wrists hidden behind the forearms read as low as 0.4 up (pose model, standing).
    assert wrists_raised([(340.0, 240.0)], hip, shoulder, cfg)
    assert not wrists_raised([(340.0, 262.0)], hip, shoulder, cfg)  # 0.25 up: hands on the hips
    assert not wrists_raised([(340.0, 200.0), (325.0, 290.0)], hip, shoulder, cfg)  # one at the hip
    assert wrists_raised([], hip, shoulder, cfg)  # wrists hidden: the outline's own arm check decides


def test_a_calibration_missed_for_the_arms_says_so():
    """Outline readings the calibration refuses (arms hanging) leave no neutral, and the reason
    says why, so the person knows what to change."""
    from posture_rules.pelvis import calibration_reading

    reason = calibration_reading(OutlineReading(40.0, None, 0.9), False, PELVIS)
    assert isinstance(reason, str)
    neutral = NeutralTilt(PELVIS)
    t = _feed(neutral, 0.0, 3.5, outline=reason)
    _feed(neutral, t, 0.5, in_lunge=True, outline=45.0)
    assert neutral.state == "missed"
    assert "fold them across the chest" in neutral.reason()


# --- the outline around an arm ---------------------------------------------------------------


def _side_on_outline(hollow_px: float = 10.0) -> BodyOutline:
    """A torso facing right seen from its side, 150 px hip to shoulder, hips at (320, 300):
    the back's edge (image left) bulges 14 px back at the buttock and has a lumbar hollow
    ``hollow_px`` deep 0.41 trunk lengths above it."""
    levels = np.arange(-0.3, 0.85, 0.5 / 150.0)
    z = levels * 150.0
    x = 280.0 - 14.0 * np.exp(-(z / 22.0) ** 2) + hollow_px * np.exp(-((z - 62.0) / 25.0) ** 2)
    back = SideOutline(levels, np.column_stack([x, 300.0 - z]), sharpness=1.0)
    front = SideOutline(levels, np.column_stack([np.full_like(x, 370.0), 300.0 - z]), sharpness=1.0)
    return BodyOutline(back, front, 150.0)


def _point_arm(x: float, y: float) -> np.ndarray:
    """A hand-sized arm bone at (x, y): (1, 2, 2) segments as ``arm_segments`` gives them."""
    return np.array([[[x, y], [x + 1.0, y]]])


def test_arm_gaps_are_distances_to_the_nearest_bone_in_trunk_lengths():
    from posture_rules.pelvis import arm_gaps

    bones = np.array([[[0.0, 0.0], [100.0, 0.0]], [[200.0, 0.0], [200.0, 100.0]]])
    pts = np.array([[50.0, 30.0], [-30.0, 40.0], [230.0, 50.0], [np.nan, np.nan]])
    g = arm_gaps(pts, bones, 100.0)
    assert g[:3] == pytest.approx([0.3, 0.5, 0.3]) and np.isnan(g[3])
    assert arm_gaps(pts, np.zeros((0, 2, 2)), 100.0)[0] == float("inf")


def test_the_outline_is_read_around_an_arm_and_refused_where_it_hides_what_tells_the_tilt():
    from posture_rules.pelvis import outline_reading

    cfg = PELVIS
    outline = _side_on_outline()
    clear = outline_reading(outline, "right", cfg)
    assert isinstance(clear, OutlineReading) and clear.seen_share == 1.0
    reach = cfg.outline_arm_clearance * 150.0  # px
    # An elbow on the lower back's hollow (0.41 up): the edge there may be the arm's.
    over_hollow = outline_reading(outline, "right", cfg, _point_arm(285.0, 300.0 - 62.0))
    assert over_hollow.startswith("an arm covers the lower back's hollow") and "front thigh" in over_hollow
    # A hand on the buttock: the buttock could reach further back under it.
    on_buttock = outline_reading(outline, "right", cfg, _point_arm(262.0, 300.0))
    assert on_buttock.startswith("an arm covers the buttock's outline")
    # An arm over the top of the hollow's band only: read from what it leaves, the same value,
    # with the confidence lowered by the share covered.
    top = 0.5 + 0.7 * cfg.outline_arm_clearance  # reaches down over the band's upper part
    partly = outline_reading(outline, "right", cfg, _point_arm(285.0, 300.0 - top * 150.0))
    assert isinstance(partly, OutlineReading), partly
    assert cfg.outline_min_seen < partly.seen_share < 1.0
    assert partly.confidence == pytest.approx(clear.confidence * partly.seen_share)
    assert partly.index_deg == pytest.approx(clear.index_deg, abs=1.0)
    # Arms well in front of the back (hands on the front thigh): nothing covered.
    forward = outline_reading(outline, "right", cfg, _point_arm(285.0 + 2 * reach, 300.0 - 62.0))
    assert isinstance(forward, OutlineReading) and forward.seen_share == 1.0


def test_a_passing_arm_carries_the_last_reading_for_a_moment():
    from posture_rules.pelvis import ArmPassing

    passing = ArmPassing(hold_s=1.0)
    read = Measurement(8.0, confidence=0.8, method="outline, change from neutral")
    arm = Measurement.unknown("outline: an arm covers the lower back's hollow")
    assert passing(0.0, read) is read
    held = passing(0.5, arm)
    assert held.value == 8.0 and held.confidence == pytest.approx(0.4) and "held 0.5 s" in held.method
    assert passing(1.2, arm).value is None  # too long ago
    # Any other reason ends it: the outline is not there at all.
    passing(2.0, read)
    assert passing(2.1, Measurement.unknown("outline: the trunk is not visible")).value is None
    assert passing(2.2, arm).value is None
