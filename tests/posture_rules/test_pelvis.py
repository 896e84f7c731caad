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
from tests.posture_rules.stick import lunge_pose, standing_pose
from vision.pelvis_types import MarkerBlobs, PelvisView

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


def test_combine_names_the_method_and_needs_a_neutral_for_the_outline():
    neutral = NeutralTilt(PELVIS)
    pair = StickerPair((340, 210), (300, 200), 0.9)
    outline = OutlineReading(index_deg=48.0, lordosis_deg=20.0, confidence=0.8)
    # No neutral yet: stickers fall back on the typical neutral, the outline has nothing.
    r = combine(pair, 14.0, outline, 0.0, neutral, PELVIS)
    assert r.tilt.value == 14.0 and r.tilt.method == "stickers"
    assert r.change.value == pytest.approx(14.0 - PELVIS.typical_neutral_deg) and "typical" in r.change.method
    r = combine("only one sticker visible near the hips", None, outline, 0.0, neutral, PELVIS)
    assert r.change.value is None and "calibrating" in r.change.reason and "stickers: only one" in r.change.reason
    _feed(neutral, 0.0, 3.5, stickers=10.0, outline=40.0)
    assert neutral.ready
    r = combine("hidden", None, outline, 2.0, neutral, PELVIS)
    assert r.change.value == pytest.approx(8.0) and r.change.method == "outline, change from neutral"
    assert r.tilt.value == pytest.approx(18.0) and "stickers' neutral" in r.tilt.method  # absolute via stickers
    leaning = combine("hidden", None, outline, 20.0, neutral, PELVIS)
    assert leaning.change.value is None and "leans" in leaning.change.reason
    implausible = combine("hidden", None, OutlineReading(80.0, None, 0.8), 2.0, neutral, PELVIS)
    assert implausible.change.value is None and "more than a pelvis turns" in implausible.change.reason
    off = combine(None, None, None, 0.0, neutral, PELVIS)
    assert off.tilt.value is None and "rotation axis" in off.tilt.reason


def test_lean_gate_allows_for_how_the_pose_model_misreads_the_lean():
    """The pose model reads the calibration's trunk too far forward and a tipped pelvis's
    trunk too far back; the gate judges the lean with both taken out, so a pelvis tipped
    forward under an upright trunk is read and a trunk that truly leans is not."""
    neutral = NeutralTilt(PELVIS)
    _feed(neutral, 0.0, 3.5, outline=40.0, lean=3.0)
    assert neutral.ready and neutral.values.lean_deg == pytest.approx(3.0)
    b, k, gate = PELVIS.neutral_lean_bias_deg, PELVIS.lean_per_tilt, PELVIS.outline_max_lean_change_deg
    assert b > 0 and k > 0
    # Upright trunk, pelvis 14 deg forward of neutral: the lean reads back by b + 14 k, plus
    # 4 deg of noise, which is past the gate on the raw change ...
    read_lean = 3.0 - b - 14.0 * k - 4.0
    assert abs(read_lean - 3.0) > gate
    tipped = combine("hidden", None, OutlineReading(54.0, None, 0.8), read_lean, neutral, PELVIS)
    assert tipped.change.value == pytest.approx(14.0)  # ... and is read
    assert lean_change_deg(read_lean, 3.0, 14.0, PELVIS) == pytest.approx(-4.0)
    # Trunk leaning forward: within the gate on the raw change, past it once the calibration's
    # forward reading is taken out.
    forward = 3.0 + gate - 1.0
    leaning = combine("hidden", None, OutlineReading(44.0, None, 0.8), forward, neutral, PELVIS)
    assert leaning.change.value is None and "leans" in leaning.change.reason
    assert lean_change_deg(None, 3.0, 0.0, PELVIS) is None
    # The gate refuses a lean only the way it moves the reading: forward with an anterior
    # reading (above), or back with a tucked one. Leaning back under an anterior reading, the
    # lean can only have hidden some of the tilt, so the reading stands (and vice versa).
    back = 3.0 - b - 14.0 * k - gate - 4.0
    assert lean_change_deg(back, 3.0, 14.0, PELVIS) < -gate
    assert combine("hidden", None, OutlineReading(54.0, None, 0.8), back, neutral, PELVIS).change.value == pytest.approx(14.0)
    tucked = combine("hidden", None, OutlineReading(34.0, None, 0.8), back, neutral, PELVIS)
    assert tucked.change.value is None and "leans" in tucked.change.reason
    ahead = 3.0 + gate + 6.0
    assert combine("hidden", None, OutlineReading(34.0, None, 0.8), ahead, neutral, PELVIS).change.value == pytest.approx(-6.0)


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


def test_the_neutral_asks_for_arms_further_from_the_back_than_a_stretch_reading():
    """A reading with an arm 0.25 trunk lengths inside the back's edge is trusted in the
    stretch but not for the calibration every later reading is measured from."""
    from posture_rules.pelvis import OutlineReading, calibration_reading

    cfg = load_config().pelvis
    assert cfg.outline_arm_clearance < 0.25 < cfg.neutral_arm_clearance
    near = OutlineReading(40.0, None, 0.9, arm_clearance=0.25)
    clear = OutlineReading(40.0, None, 0.9, arm_clearance=0.45)
    assert "close to the lower back" in calibration_reading(near, True, cfg)
    assert calibration_reading(clear, True, cfg) == 40.0
    assert "not folded" in calibration_reading(clear, False, cfg)  # arms not folded at the chest
    assert calibration_reading("an arm covers the lower back's outline", True, cfg) == "an arm covers the lower back's outline"
    assert calibration_reading(None, True, cfg) is None


def test_arms_folded_means_the_visible_wrists_at_chest_height():
    from posture_rules.pelvis import arms_folded

    cfg = load_config().pelvis
    hip, shoulder = (320.0, 300.0), (320.0, 150.0)  # a 150 px trunk
    assert arms_folded([(340.0, 200.0)], hip, shoulder, cfg)  # wrist 0.67 up: at the chest
    # Folded wrists hidden behind the forearms read as low as 0.4 up (pose model, standing).
    assert arms_folded([(340.0, 240.0)], hip, shoulder, cfg)
    assert not arms_folded([(340.0, 262.0)], hip, shoulder, cfg)  # 0.25 up: hands on the hips
    assert not arms_folded([(340.0, 200.0), (325.0, 290.0)], hip, shoulder, cfg)  # one at the hip
    assert arms_folded([], hip, shoulder, cfg)  # wrists hidden: the arm clearance decides


def test_a_calibration_missed_for_the_arms_says_so():
    """Outline readings the calibration refuses (arms hanging) leave no neutral, and the reason
    says why, so the person knows to fold their arms."""
    from posture_rules.pelvis import OutlineReading, calibration_reading

    cfg = load_config().pelvis
    reason = calibration_reading(OutlineReading(40.0, None, 0.9), False, cfg)
    assert isinstance(reason, str) and "folded" in reason
    neutral = NeutralTilt(PELVIS)
    t = _feed(neutral, 0.0, 3.5, outline=reason)
    _feed(neutral, t, 0.5, in_lunge=True, outline=45.0)
    assert neutral.state == "missed"
    assert "not folded across the chest" in neutral.reason()
