"""Pelvic tilt from what the pixels show of the pelvis: stickers, the back's outline, and the
person's own neutral. Pure numpy (definitions: docs/measurements.md, "Pelvic tilt").

Three methods, each used only where it applies:

* **Stickers** on the front (ASIS) and back (PSIS) of the pelvis: the line between their
  centres *is* the PSIS -> ASIS line, so its angle below horizontal is the tilt itself
  (absolute, + = anterior: the front sticker lower than the back one).
* **Outline**: the lumbar spine stands on the sacrum, and the sacrum swings about the hip
  axis with the pelvis. Anterior tilt carries the lower back forward relative to the
  buttock behind the hips, which deepens the hollow of the lower back. The outline reading
  is that depth (buttock's back -> deepest part of the lumbar curve, measured horizontally),
  divided by ``hollow_radius`` (how far the hollow moves per radian of tilt, in
  hip-to-shoulder lengths: the sacrum's height above the hip axis, made larger because the
  lumbar curve deepens as the pelvis tips; bench/outline_gain.py measures it): an angle
  whose *change* follows the pelvis' rotation. Its absolute value depends on the person's
  shape (buttocks, belly, spine), so it is only ever reported as change from the person's
  neutral. A trunk that leans also moves the lower back, so the reading is refused when the
  trunk lean has moved away from its neutral value the way the reading moved (a forward lean
  reads as anterior tilt; ``lean_change_deg``: corrected for how the pose model misreads the
  lean in the calibration pose and when the pelvis tips), and
  when the edge is not the person's colour (``SideOutline.foreign``: something behind them
  that the mask took in).
* **Neutral**: the median of each method's reading while the person kneels upright on both
  knees (or stands) relaxed and still before the lunge (``NeutralTilt``), arms folded at the
  chest. Kneeling is what the checker asks for: the pose model then sees the calibration
  and the stretch alike (its mask and keypoints err the same way), which on rendered clips
  removed most of the outline's bias. Flags use the change from it, because absolute tilt
  differs from person to person by more than the fault itself.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, replace

import numpy as np

from posture_rules.config import PelvisConfig
from posture_rules.types import Measurement
from vision.landmarks import Landmark
from vision.pelvis_types import BodyOutline, MarkerBlobs

METHOD_STICKERS = "stickers"
METHOD_OUTLINE = "outline"
# How the change from neutral was obtained, as written to frames.csv (pelvic_tilt_method).
CHANGE_FROM_NEUTRAL = "change from neutral"
STILL_BASELINE_S = 0.3  # hip speed is measured over this long
# How every refusal for an arm begins (``ArmPassing`` carries a reading over exactly those),
# and what lets the outline see the lower back again, told with it.
ARM_COVERS = "an arm covers"
ARM_HINT = " (rest your hands on the front thigh or fold your arms at the chest to have the pelvis checked)"
# An arm-covered stretch of the back's edge this close (hip-to-shoulder lengths) to the
# buttock's apex could hide a buttock further back than the apex found.
APEX_CLEAR = 0.05
# What the person does for the calibration (shown by the CLI, the live page and the reports).
CALIBRATION_POSE = "kneel upright on both knees (or stand), relaxed, side-on, arms folded across your chest"
ASSUMED_NEUTRAL = "change from a typical neutral (not calibrated)"
# Added to a cue raised against that assumed neutral.
ASSUMED_CUE_NOTE = " (judged against a typical pelvis: calibrate for a surer check)"


def _sign(facing: str) -> float:
    return 1.0 if facing == "right" else -1.0


# --- stickers -----------------------------------------------------------------------------


def sticker_tilt_deg(front_xy, back_xy, facing: str) -> float:
    """Angle of the back -> front sticker line below horizontal; + = anterior tilt.

    Image y points down, so "the front sticker lower" is a larger y. ``facing`` is the
    image edge the person faces: the front sticker is the one on that side.
    """
    d = np.asarray(front_xy, float) - np.asarray(back_xy, float)
    return math.degrees(math.atan2(float(d[1]), _sign(facing) * float(d[0])))


@dataclass(frozen=True)
class StickerPair:
    front: tuple[float, float]
    back: tuple[float, float]
    confidence: float


def pick_sticker_pair(blobs: MarkerBlobs, facing: str, hip_xy, trunk_px: float,
                      cfg: PelvisConfig, hands_xy=()) -> StickerPair | str:
    """The ASIS (front) and PSIS (back) stickers among the candidates, or why not.

    A pair must be about as far apart as the two iliac spines (``sticker_min_sep`` to
    ``sticker_max_sep`` hip-to-shoulder lengths), closer to horizontal than vertical and
    near the hips; the front one is the one further toward the way the person faces. A
    candidate under a hand (within ``sticker_hand_clearance`` of one of ``hands_xy``, the
    trusted wrist, knuckle and thumb points) is left out: the part of a sticker that shows between
    the fingers is not its centre.
    """
    n = len(blobs.centres)
    if n == 0:
        return blobs.reason or "no sticker of the marker colour near the hips"
    if trunk_px <= 0:
        return "stickers: the trunk is not visible, so the stickers cannot be checked"
    hands = np.asarray(hands_xy, float).reshape(-1, 2)
    free = [i for i in range(n)
            if not len(hands) or np.hypot(*(hands - blobs.centres[i]).T).min() > cfg.sticker_hand_clearance * trunk_px]
    if len(free) < n and len(free) < 2:
        return "a hand is over a sticker (keep your hands off the hips)"
    if n == 1:
        return "only one sticker visible near the hips (the other is hidden or out of view)"
    hip = np.asarray(hip_xy, float)
    best: tuple[float, int, int] | None = None
    for i, j in itertools.combinations(free, 2):
        a, b = blobs.centres[i], blobs.centres[j]
        d = b - a
        sep = float(np.hypot(*d)) / trunk_px
        if not cfg.sticker_min_sep <= sep <= cfg.sticker_max_sep:
            continue
        if abs(d[1]) > abs(d[0]):  # steeper than 45 deg: not an ASIS-PSIS line
            continue
        mid = (a + b) / 2.0
        if np.hypot(*(mid - hip)) > 0.6 * trunk_px:
            continue
        score = float(blobs.scores[i] * blobs.scores[j])
        if best is None or score > best[0]:
            best = (score, i, j)
    if best is None:
        return "the stickers found are not a front/back pair (too close, too far apart or not level)"
    score, i, j = best
    a, b = blobs.centres[i], blobs.centres[j]
    front, back = (a, b) if _sign(facing) * (a[0] - b[0]) > 0 else (b, a)
    return StickerPair((float(front[0]), float(front[1])), (float(back[0]), float(back[1])),
                       float(math.sqrt(max(score, 0.0))))


# --- outline ------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutlineReading:
    """The back outline's tilt reading (degrees, meaningful only as change from neutral),
    the lumbar lordosis angle of the outline, and how far to trust them (0-1).

    ``seen_share``: the share of the outline the reading rests on (buttock and hollow bands)
    that no arm covers."""

    index_deg: float
    lordosis_deg: float | None
    confidence: float
    seen_share: float = 1.0


def _line_angle_deg(x: np.ndarray, y: np.ndarray) -> float | None:
    """Direction of the least-squares line x(y), in degrees from vertical (+ = x grows up)."""
    if len(x) < 4 or np.ptp(y) <= 0:
        return None
    slope = np.polyfit(y, x, 1)[0]
    return math.degrees(math.atan(slope))


def arm_segments(xy: np.ndarray, trusted: np.ndarray) -> np.ndarray:
    """The bones of the arms and hands the pose model trusts, as (S, 2, 2) image segments:
    upper arm, forearm, and wrist to each knuckle point carried on as far again (the fingers).
    ``xy``: (33, 2) landmarks; ``trusted``: (33,) bool."""
    segs = []
    for side in ("LEFT", "RIGHT"):
        sh, el, wr = (Landmark[f"{side}_{j}"] for j in ("SHOULDER", "ELBOW", "WRIST"))
        for a, b in ((sh, el), (el, wr)):
            if trusted[a] and trusted[b]:
                segs.append((xy[a], xy[b]))
        if trusted[wr]:
            for k in (Landmark[f"{side}_INDEX"], Landmark[f"{side}_PINKY"]):
                if trusted[k]:
                    segs.append((xy[wr], xy[wr] + 2.0 * (xy[k] - xy[wr])))
    return np.asarray(segs, dtype=float).reshape(-1, 2, 2)


def arm_gaps(points: np.ndarray, segments: np.ndarray, trunk_px: float) -> np.ndarray:
    """Per outline point, the distance to the nearest arm or hand bone in hip-to-shoulder
    lengths (inf where there is none; NaN points stay NaN). A bone within an arm's
    thickness of the edge may be forming it: the edge there may be the arm's, not the back's."""
    pts = np.asarray(points, float).reshape(-1, 2)
    if not len(segments) or trunk_px <= 0:
        return np.where(np.isfinite(pts[:, 0]), np.inf, np.nan)
    a, b = segments[:, 0][None], segments[:, 1][None]  # (1, S, 2)
    ab = b - a
    w = np.clip(np.einsum("psk,psk->ps", pts[:, None] - a, ab) / np.maximum(np.einsum("psk,psk->ps", ab, ab), 1e-9),
                0.0, 1.0)
    diff = pts[:, None, :] - (a + w[..., None] * ab)
    d = np.hypot(diff[..., 0], diff[..., 1])  # no overflow for the huge coordinates of a wild pose
    return d.min(axis=1) / trunk_px


def outline_reading(outline: BodyOutline, facing: str, cfg: PelvisConfig,
                    arms: np.ndarray | None = None) -> OutlineReading | str:
    """Read pelvic tilt (as an index) and lumbar lordosis off the back's outline, or say why not.

    The back is the image side opposite to the way the person faces. Heights are measured
    from the buttock's most posterior point, in hip-to-shoulder lengths ``L``:
    the buttock is searched between 0.2 L below and 0.3 L above the hips; the lumbar
    curve's hollow between ``lumbar_band`` above the buttock.

    ``arms`` (``arm_segments``): where an arm or hand bone comes within
    ``outline_arm_clearance`` of the edge, the edge may be the arm's, so those stretches of
    the outline are left out and the reading rests on what the arm does not cover: it needs
    the buttock's apex clear of the arm and enough of the hollow's band (``outline_min_seen``)
    on either side of it, and its confidence falls with the share covered.
    """
    if outline.reason and (outline.left is None or outline.right is None):
        return outline.reason
    back = outline.side("left" if facing == "right" else "right")
    if back is None:
        return "the back's outline is not visible"
    if back.found_share < 0.6:
        return "the body outline is incomplete (the mask misses part of the back)"
    L = outline.trunk_px
    if L <= 0:
        return "the trunk is not visible"
    found = np.isfinite(back.points[:, 0])
    gaps = arm_gaps(back.points, np.zeros((0, 2, 2)) if arms is None else arms, L)
    covered = found & (gaps < cfg.outline_arm_clearance)
    ok = found & ~covered
    f = _sign(facing)
    lv_all = back.levels
    lv = lv_all[ok]
    xb = -f * back.points[ok, 0]  # + = further back
    yb = -back.points[ok, 1]  # + = higher
    if len(xb) >= 5:
        xb = np.convolve(np.pad(xb, 2, mode="edge"), np.ones(5) / 5.0, mode="valid")
    in_band = (lv_all >= -0.2) & (lv_all <= 0.3)
    band = (lv >= -0.2) & (lv <= 0.3)
    if band.sum() < 5:
        return (f"{ARM_COVERS} the buttock's outline{ARM_HINT}" if (covered & in_band).any()
                else "the buttock's outline is not visible")
    # Is the edge the reading rests on (the buttock up to the top of the hollow's band) the
    # person's own colour? Checked first: an object merged into the mask can also make the
    # buttock's or the hollow's shape.
    foreign = back.foreign[ok][(lv >= -0.2) & (lv <= 0.3 + cfg.lumbar_band_high)]
    foreign_share = float(np.nanmean(foreign)) if np.isfinite(foreign).any() else 0.0
    if foreign_share > cfg.outline_max_foreign:
        return ("the lower back's outline is not the colour of your body or clothes "
                "(something behind you merged into it)")
    idx = np.flatnonzero(band)
    k = idx[np.argmax(xb[band])]
    # The apex must be the buttock's own: no arm-covered stretch of the edge right beside it,
    # nor one in the band when the apex found is the band's end (the buttock could be further
    # back under the arm).
    at_end = k in (idx[0], idx[-1])
    near_apex = np.abs(lv_all - lv[k]) <= APEX_CLEAR
    if (covered & near_apex).any() or (at_end and (covered & in_band).any()):
        return f"{ARM_COVERS} the buttock's outline{ARM_HINT}"
    if at_end:
        return "no buttock found in the back's outline (it runs straight past the hips)"
    x_apex, y_apex = xb[k], yb[k]
    lo, hi = cfg.lumbar_band_low, cfg.lumbar_band_high
    rise = (yb - y_apex) / L
    waist = (rise >= lo) & (rise <= hi)
    # The hollow's band in levels (rise ~ level - apex level along the trunk axis), to count
    # how much of it the arm covers.
    in_waist = (lv_all - lv[k] >= lo) & (lv_all - lv[k] <= hi) & found
    waist_seen = 1.0 - float((covered & in_waist).sum()) / max(int(in_waist.sum()), 1)
    if waist.sum() < 3 or waist_seen < cfg.outline_min_seen:
        return (f"{ARM_COVERS} the lower back's hollow{ARM_HINT}" if (covered & in_waist).any()
                else "the lower back's outline is not visible")
    depth = (x_apex - float(np.median(xb[waist]))) / L
    if depth <= 0.0:
        return "no hollow in the lower back's outline (something covers it)"
    index = math.degrees(depth / cfg.hollow_radius)
    # Lordosis of the outline: how much the outline turns across the hollow, from the line
    # fitted just below the deepest point to the one just above it (0 = a straight back).
    lumbar = (rise >= 0.2) & (rise <= 0.75)
    lordosis = None
    if lumbar.sum() >= 8:
        j = np.flatnonzero(lumbar)[np.argmin(xb[lumbar])]
        below = lumbar & (yb <= yb[j]) & (yb >= yb[j] - 0.15 * L)
        above = lumbar & (yb >= yb[j]) & (yb <= yb[j] + 0.15 * L)
        a_lo, a_hi = _line_angle_deg(xb[below], yb[below]), _line_angle_deg(xb[above], yb[above])
        if a_lo is not None and a_hi is not None:
            lordosis = a_hi - a_lo
    used = (in_band | in_waist) & found
    seen_share = 1.0 - float((covered & used).sum()) / max(int(used.sum()), 1)
    confidence = float(np.clip(back.sharpness, 0.0, 1.0) * np.clip(back.found_share, 0.0, 1.0)
                       * (1.0 - foreign_share) * seen_share)
    return OutlineReading(index, lordosis, confidence, seen_share)


def wrists_raised(wrists_xy, hip_xy, shoulder_xy, cfg: PelvisConfig) -> bool:
    """Are the wrists (``wrists_xy``: where the pose model places them, seen or not) well
    above the hips (folded at the chest, or overhead)? True when there are none.

    A hanging arm, or a hand on the hip, lies over the lower back's hollow in a side view
    (clinical posture photographs ask for folded arms for that reason), and the pose model
    places such an arm too far forward for the outline's own arm check to see it: on rendered
    clips its arm points stood 0.16-0.37 trunk lengths from stretches of the back's edge that
    the true arm formed (tools/synth/perfect_view, heavy model)."""
    hip, sh = np.asarray(hip_xy, float), np.asarray(shoulder_xy, float)
    length = math.hypot(*(sh - hip))
    if not 0.0 < length < math.inf:
        return False
    up = (sh - hip) / length
    heights = [float((np.asarray(w, float) - hip) @ up) / length for w in wrists_xy]
    return all(h >= cfg.neutral_min_wrist_height for h in heights)


def calibration_reading(outline: OutlineReading | str | None, raised: bool, cfg: PelvisConfig) -> float | str | None:
    """The outline reading the neutral calibration may take: every later reading is measured
    from it, so it needs the wrists raised clear of the lower back (``raised``, from
    ``wrists_raised``) and at least ``neutral_min_seen`` of the outline it rests on clear of
    the arms. Where there is no reading to take, the reason comes back instead (None: the
    outline is off)."""
    if not isinstance(outline, OutlineReading):
        return outline
    if not raised:
        return "the arms hung over the lower back (fold them across the chest)"
    if outline.seen_share < cfg.neutral_min_seen:
        return "an arm covered part of the lower back's outline"
    return outline.index_deg


# --- steadying a reading over a few frames ------------------------------------------------


class RecentMedian:
    """The median of a reading over the last ``window_s`` (causal: live and files alike).

    A sticker centre or a mask edge moves by a fraction of a pixel from frame to frame (the
    pose model's crop shifts, the video's colour blocks), which is a degree of tilt; a pelvis
    does not turn that fast. A gap (no reading) longer than ``window_s`` starts afresh.
    """

    def __init__(self, window_s: float = 0.2):
        self.window_s = window_s
        self._values: list[tuple[float, float]] = []

    def __call__(self, t: float, value: float | None) -> float | None:
        if value is None or not math.isfinite(value):
            return None
        self._values = [(ti, v) for ti, v in self._values if t - ti <= self.window_s and ti < t]
        self._values.append((t, value))
        return float(np.median([v for _, v in self._values]))


class ArmPassing:
    """The last tilt change the outline gave, carried over the moments an arm passes over the
    lower back (``hold_s`` at most), with its confidence fading to nothing over that time: a
    pelvis does not turn far in a second, and an arm that swings by should not blank the
    reading. A reading refused for any other reason is not carried."""

    def __init__(self, hold_s: float):
        self.hold_s = hold_s
        self._last: tuple[float, Measurement] | None = None

    def __call__(self, t: float, change: Measurement) -> Measurement:
        if change.known:
            self._last = (t, change) if change.method.startswith(METHOD_OUTLINE) else None
            return change
        if ARM_COVERS not in change.reason:
            self._last = None
            return change
        if self._last is None:
            return change
        t0, last = self._last
        age = t - t0
        if not 0.0 <= age <= self.hold_s:
            return change
        return replace(last, confidence=last.confidence * (1.0 - age / self.hold_s),
                       method=f"{last.method} (held {age:.1f} s: {ARM_COVERS} the outline now)")


# --- the person's neutral ----------------------------------------------------------------


@dataclass(frozen=True)
class NeutralValues:
    """The calibrated neutral, per method (None where that method had no reading)."""

    start_s: float
    end_s: float
    frames: int
    stickers_deg: float | None
    outline_deg: float | None
    lean_deg: float | None
    explicit: bool  # the window was chosen (--neutral-from, the app's button), not found

    def to_dict(self) -> dict:
        r = (lambda v: None if v is None else round(v, 2))
        return {"start_s": round(self.start_s, 3), "end_s": round(self.end_s, 3), "frames": self.frames,
                "stickers_deg": r(self.stickers_deg), "outline_index_deg": r(self.outline_deg),
                "trunk_lean_deg": r(self.lean_deg),
                "how": "chosen window" if self.explicit else "relaxed and still before the lunge"}


class NeutralTilt:
    """Finds the person's neutral pelvis: ``neutral_s`` seconds, relaxed, before the stretch.

    Automatic (``start_s`` None): the window opens at the first frame with a person who is
    not in the lunge and holds still (hips moving less than ``still_max_speed`` trunk
    lengths per second), and closes after ``neutral_s`` or when the lunge begins. Explicit
    (``start_s`` given, or ``restart``): the window is [start, start + neutral_s], whatever
    the person does. Each method's neutral is the median of its readings in the window, and
    needs readings spread over at least ``neutral_min_s``.
    """

    def __init__(self, cfg: PelvisConfig, start_s: float | None = None):
        self.cfg = cfg
        self.explicit_start = start_s
        self.state = "waiting"  # waiting -> collecting -> set | missed
        self.values: NeutralValues | None = None
        self.why_missed = ""
        self._reset_samples()
        self._hips: list[tuple[float, np.ndarray]] = []

    def _reset_samples(self) -> None:
        self._start: float | None = None
        self._end = 0.0
        self._frames = 0
        self._samples: dict[str, list[tuple[float, float]]] = {"stickers": [], "outline": [], "lean": []}
        self._refused: dict[str, int] = {}  # why the calibration refused outline readings, and how often

    def restart(self, start_s: float) -> None:
        """Calibrate again from ``start_s`` (the app's "calibrate" button)."""
        self.explicit_start = start_s
        self.state, self.values, self.why_missed = "waiting", None, ""
        self._reset_samples()

    @property
    def ready(self) -> bool:
        return self.state == "set" and self.values is not None

    def _still(self, t: float, hip_xy, trunk_px: float) -> bool:
        """Have the hips held still over the last ``STILL_BASELINE_S``? Measured over that
        baseline, not frame to frame, so keypoint jitter does not read as movement."""
        if hip_xy is None or trunk_px <= 0:
            self._hips.clear()
            return False
        hip = np.asarray(hip_xy, float)
        self._hips.append((t, hip))
        while len(self._hips) > 2 and t - self._hips[1][0] >= STILL_BASELINE_S:
            self._hips.pop(0)
        t0, h0 = self._hips[0]
        if t - t0 < 0.5 * STILL_BASELINE_S:
            return False
        speed = float(np.hypot(*(hip - h0))) / trunk_px / (t - t0)
        return speed <= self.cfg.still_max_speed

    def update(self, t: float, person: bool, in_lunge: bool | None, hip_xy, trunk_px: float,
               stickers_deg: float | None, outline_deg: float | str | None, lean_deg: float | None) -> None:
        """One frame. ``outline_deg`` may be the reason the calibration refused the outline's
        reading (``calibration_reading``): it is told back if the calibration is missed."""
        if self.state in ("set", "missed"):
            return
        still = self._still(t, hip_xy, trunk_px)
        if self.explicit_start is not None:
            if t < self.explicit_start:
                return
            if self._start is None:
                self._start, self.state = self.explicit_start, "collecting"
            if t > self._start + self.cfg.neutral_s:
                self._finish()
                return
            take = person
        else:
            if self._start is None:
                if in_lunge is True:
                    self.state = "missed"
                    self.why_missed = "no neutral: the stretch began before the person knelt or stood relaxed and still"
                    return
                if not (person and in_lunge is not True and still):
                    return
                self._start, self.state = t, "collecting"
            if in_lunge is True or t > self._start + self.cfg.neutral_s:
                self._finish()
                return
            take = person and still and in_lunge is not True
        if not take:
            return
        self._frames += 1
        self._end = t
        if isinstance(outline_deg, str):
            self._refused[outline_deg] = self._refused.get(outline_deg, 0) + 1
            outline_deg = None
        for key, value in (("stickers", stickers_deg), ("outline", outline_deg), ("lean", lean_deg)):
            if value is not None and math.isfinite(value):
                self._samples[key].append((t, value))

    def finish(self) -> None:
        """The stream ended while calibrating: settle with what was seen."""
        if self.state == "collecting":
            self._finish()

    def _median(self, key: str) -> float | None:
        s = self._samples[key]
        if len(s) < 3 or s[-1][0] - s[0][0] < self.cfg.neutral_min_s:
            return None
        return float(np.median([v for _, v in s]))

    def _finish(self) -> None:
        stickers, outline = self._median("stickers"), self._median("outline")
        if stickers is None and outline is None:
            self.state = "missed"
            seen = self._samples["stickers"] or self._samples["outline"]
            self.why_missed = (
                f"no neutral: the pelvis was measured for less than {self.cfg.neutral_min_s:g} s while "
                "relaxed and still before the stretch" if seen or self._frames else
                "no neutral: nobody knelt or stood relaxed and still before the stretch"
            )
            if self._refused:
                self.why_missed += f"; the body outline was not taken: {max(self._refused, key=self._refused.get)}"
            return
        self.values = NeutralValues(self._start or 0.0, self._end, self._frames, stickers, outline,
                                    self._median("lean"), self.explicit_start is not None)
        self.state = "set"

    def reason(self) -> str:
        if self.state == "missed":
            return self.why_missed + f". To calibrate: {CALIBRATION_POSE}, for 3 s before stepping into the lunge"
        if self.state in ("waiting", "collecting"):
            return f"calibrating the neutral pelvis ({CALIBRATION_POSE}, for 3 s before the stretch)"
        return "no neutral for this method (it did not see the pelvis during the calibration)"


# --- one frame's tilt -------------------------------------------------------------------


def outline_change(reading: OutlineReading, lean_deg: float | None, neutral: NeutralValues | None,
                   cfg: PelvisConfig) -> Measurement | str:
    """The outline's tilt change from the person's neutral, or why there is none.

    Against the calibrated neutral where there is one; otherwise against the typical
    neutral (``outline_typical_neutral_deg``), with ``outline_typical_neutral_uncertainty_deg`` (how
    much people's neutrals differ) as its uncertainty, so a flag needs a larger change.

    A trunk that leans moves the lower back's outline as a tilt would (``outline_lean_gain``
    outline degrees per degree of lean, the pelvis still); that share is taken out, with the
    gain's spread between people (``outline_lean_gain_sd``) added to the uncertainty. The
    lean is measured from the one the neutral was read at, with the pose model's known
    errors taken out (``lean_change_deg``).
    """
    calibrated = neutral is not None and neutral.outline_deg is not None
    if calibrated:
        raw = reading.index_deg - neutral.outline_deg
        lean_ref = None if neutral.lean_deg is None else neutral.lean_deg - cfg.neutral_lean_bias_deg
        spread, how, confidence = 0.0, CHANGE_FROM_NEUTRAL, reading.confidence
    else:
        raw = reading.index_deg - cfg.outline_typical_neutral_deg
        lean_ref = cfg.outline_typical_neutral_lean_deg
        spread, how, confidence = cfg.outline_typical_neutral_uncertainty_deg, ASSUMED_NEUTRAL, 0.5 * reading.confidence
    if abs(raw) > cfg.outline_max_change_deg + spread:
        return (f"it moved {raw:+.0f} deg from {'its' if calibrated else 'a typical'} neutral, more than a "
                "pelvis turns (an arm or something behind the back may be in the outline)")
    lean = 0.0
    if lean_ref is not None:
        if lean_deg is None:
            return "trunk lean unknown, so a leaning trunk cannot be told from a tilting pelvis"
        lean = lean_change_deg(lean_deg, lean_ref, raw, cfg)
        if abs(lean) > cfg.outline_max_lean_change_deg:
            return (f"the trunk leans {lean:+.0f} deg from {'its' if calibrated else 'an upright'} neutral, "
                    "too far to tell a tilted pelvis from a leaning trunk")
    return Measurement(raw - cfg.outline_lean_gain * lean, confidence=confidence, method=f"{METHOD_OUTLINE}, {how}",
                       uncertainty=spread + cfg.outline_lean_gain_sd * abs(lean))


def lean_change_deg(lean_deg: float, reference_deg: float, outline_change_deg: float, cfg: PelvisConfig) -> float:
    """How far the trunk leans from ``reference_deg`` (+ = forward), with the pose model's
    known error in the stretch taken out: its trunk reads ``lean_per_tilt`` degrees too far
    back per degree the pelvis tips forward (its hip points follow the buttock). The
    outline's tilt change on the same frame stands in for the tilt."""
    return lean_deg - reference_deg + cfg.lean_per_tilt * outline_change_deg


@dataclass(frozen=True)
class TiltResult:
    tilt: Measurement  # absolute pelvic tilt (stickers only, or outline over a sticker neutral)
    change: Measurement  # tilt minus the person's neutral
    lordosis: Measurement  # the outline's lumbar lordosis angle


def combine(stickers: StickerPair | str | None, sticker_tilt: float | None,
            outline: OutlineReading | str | None, lean_deg: float | None,
            neutral: NeutralTilt, cfg: PelvisConfig) -> TiltResult:
    """This frame's tilt from the methods that saw the pelvis; stickers win where visible.

    ``None`` for a method means it is switched off; a string is why it saw nothing.
    """
    why: list[str] = []
    nv = neutral.values if neutral.ready else None
    lordosis = Measurement.unknown("no body outline (the outline method is off)")
    if isinstance(outline, OutlineReading):
        lordosis = (Measurement(outline.lordosis_deg, confidence=outline.confidence, method=METHOD_OUTLINE)
                    if outline.lordosis_deg is not None
                    else Measurement.unknown("the lumbar curve's outline is too short", METHOD_OUTLINE))
    elif isinstance(outline, str):
        lordosis = Measurement.unknown(outline, METHOD_OUTLINE)

    if isinstance(stickers, StickerPair) and sticker_tilt is not None:
        conf = stickers.confidence
        tilt = Measurement(sticker_tilt, confidence=conf, method=METHOD_STICKERS)
        if nv is not None and nv.stickers_deg is not None:
            change = Measurement(sticker_tilt - nv.stickers_deg, confidence=conf,
                                 method=f"{METHOD_STICKERS}, {CHANGE_FROM_NEUTRAL}")
        else:
            change = Measurement(sticker_tilt - cfg.typical_neutral_deg, confidence=0.5 * conf,
                                 method=f"{METHOD_STICKERS}, {ASSUMED_NEUTRAL}", uncertainty=cfg.typical_neutral_uncertainty_deg)
        return TiltResult(tilt, change, lordosis)
    if isinstance(stickers, str):
        why.append(f"stickers: {stickers}")

    if isinstance(outline, OutlineReading):
        change = outline_change(outline, lean_deg, nv, cfg)
        if isinstance(change, Measurement):
            # Absolute only where the change was taken from a neutral the stickers also read
            # (outline_change uses the calibrated neutral whenever it has an outline value).
            if nv is not None and nv.stickers_deg is not None and nv.outline_deg is not None:
                tilt = Measurement(nv.stickers_deg + change.value, confidence=change.confidence,
                                   method=f"{METHOD_OUTLINE} over the stickers' neutral",
                                   uncertainty=change.uncertainty)
            else:
                tilt = Measurement.unknown("the body outline gives only the change from your neutral "
                                           "(see pelvic_tilt_change_deg)", METHOD_OUTLINE)
            return TiltResult(tilt, change, lordosis)
        why.append(f"outline: {change}")
    elif isinstance(outline, str):
        why.append(f"outline: {outline}")

    if stickers is None and outline is None:
        reason = "hip keypoints cannot measure pelvic tilt (the hip joints lie on its rotation axis); " \
                 "switch on the body outline or stickers"
    else:
        reason = "; ".join(why) or "pelvis not measured"
    unknown = Measurement.unknown(reason)
    return TiltResult(unknown, unknown, lordosis)
