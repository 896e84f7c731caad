"""Body builds: segment lengths and soft-tissue girths of the synthetic person.

Lengths are fractions of standing height from the usual anthropometric tables (Drillis &
Contini, as tabulated by Winter, *Biomechanics and Motor Control of Human Movement*), so that a
"short" and a "tall" person differ the way real people do and MediaPipe sees familiar
proportions. ``girth`` scales the soft tissue (limb and torso radii) and ``shoulder`` the
shoulder breadth; bones do not change with girth.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Build:
    """One person's body dimensions. All lengths in metres."""

    name: str = "average"
    height: float = 1.75
    girth: float = 1.0  # soft tissue: 0.85 slim, 1.0 average, 1.2 broad
    shoulder: float = 1.0  # shoulder breadth factor

    # --- bone lengths (joint centre to joint centre) -------------------------------------
    @property
    def thigh(self) -> float:  # hip joint centre -> knee joint centre
        return 0.245 * self.height

    @property
    def shin(self) -> float:  # knee -> ankle
        return 0.246 * self.height

    @property
    def ankle_height(self) -> float:  # ankle joint centre above the floor, foot flat
        return 0.039 * self.height

    @property
    def hip_width(self) -> float:  # between the two hip joint centres
        return 0.100 * self.height

    @property
    def upper_arm(self) -> float:
        return 0.186 * self.height

    @property
    def forearm(self) -> float:
        return 0.146 * self.height

    @property
    def hand(self) -> float:  # wrist -> fingertips
        return 0.100 * self.height

    # --- spine (pelvis frame: x forward, y up, origin at mid-hip) --------------------------
    @property
    def sacrum(self) -> tuple[float, float]:  # L5/S1 disc centre, relative to mid-hip
        return (-0.028 * self.height, 0.060 * self.height)

    @property
    def lumbar(self) -> float:  # S1 -> T12 (two equal segments through L3)
        return 0.100 * self.height

    @property
    def thoracic(self) -> float:  # T12 -> C7
        return 0.150 * self.height

    @property
    def shoulder_offset(self) -> tuple[float, float, float]:
        """Shoulder joint centre relative to C7 in the thorax frame (fwd, up, lateral)."""
        h = self.height
        return (0.030 * h, -0.030 * h, 0.098 * h * self.shoulder)

    @property
    def neck(self) -> float:  # C7 -> head pivot (atlas)
        return 0.060 * self.height

    @property
    def head_radius(self) -> float:  # half the head's length (glabella to back)
        return 0.057 * self.height

    # --- pelvis landmarks (pelvis frame) that define pelvic tilt -------------------------
    @property
    def asis(self) -> tuple[float, float]:
        """Anterior superior iliac spine (fwd, up) in the pelvis frame; PSIS is at the same
        height, so pelvic tilt 0 means the PSIS -> ASIS line is horizontal."""
        return (0.032 * self.height, 0.052 * self.height)

    @property
    def psis(self) -> tuple[float, float]:
        return (-0.062 * self.height, 0.052 * self.height)

    # --- foot (ankle-relative, foot flat: fwd, up) ----------------------------------------
    @property
    def heel_centre(self) -> tuple[float, float]:
        return (-0.020 * self.height, -0.022 * self.height)

    @property
    def heel_radius(self) -> float:
        return 0.016 * self.height

    @property
    def toe_centre(self) -> tuple[float, float]:
        return (0.105 * self.height, -0.027 * self.height)

    @property
    def toe_radius(self) -> float:
        return 0.012 * self.height

    @property
    def toe_tip(self) -> tuple[float, float]:
        """Tip of the shoe, the truth point for the FOOT_INDEX landmark."""
        x, y = self.toe_centre
        return (x + self.toe_radius, y)

    @property
    def knee_contact_height(self) -> float:
        """Knee joint centre above the floor when kneeling on that knee."""
        return 0.032 * self.height

    def to_dict(self) -> dict:
        return asdict(self)


BUILDS: dict[str, Build] = {
    "average": Build("average", 1.75, 1.0, 1.0),
    "slim_short": Build("slim_short", 1.58, 0.85, 0.92),
    "slim_tall": Build("slim_tall", 1.88, 0.87, 1.0),
    "broad_short": Build("broad_short", 1.62, 1.22, 1.05),
    "broad_tall": Build("broad_tall", 1.86, 1.18, 1.1),
    "average_short": Build("average_short", 1.64, 1.0, 0.96),
}
