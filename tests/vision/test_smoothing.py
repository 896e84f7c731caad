import numpy as np

from tests.posture_rules.stick import lunge_pose
from vision.pose import Pose
from vision.smoothing import CenteredSmoother, OneEuroFilter

FPS = 30.0


def noisy_sequence(n=90, noise_px=3.0, seed=0):
    rng = np.random.default_rng(seed)
    clean = [lunge_pose(t=i / FPS) for i in range(n)]
    noisy = [p.with_xy(p.xy + rng.normal(0, noise_px, p.xy.shape)) for p in clean]
    return clean, noisy


def rms(a, b):
    return float(np.sqrt(np.mean((a - b) ** 2)))


def test_centered_smoother_reduces_jitter_returns_every_frame_in_order():
    clean, noisy = noisy_sequence()
    sm: CenteredSmoother[int] = CenteredSmoother()
    out = []
    for i, p in enumerate(noisy):
        out += sm.push(p, i)
    out += sm.flush()
    assert [payload for _, payload in out] == list(range(len(noisy)))
    err_raw = np.mean([rms(n.xy, c.xy) for n, c in zip(noisy, clean)])
    err_smooth = np.mean([rms(p.xy, c.xy) for (p, _), c in zip(out, clean)])
    assert err_smooth < 0.6 * err_raw


def test_centered_smoother_has_no_lag_on_a_ramp():
    # A steadily moving pose: a zero-phase filter returns the same positions (no delay).
    poses = [lunge_pose(t=i / FPS, hip_xy=(200 + 3 * i, 260)) for i in range(60)]
    sm: CenteredSmoother[None] = CenteredSmoother()
    out = []
    for p in poses:
        out += sm.push(p, None)
    out += sm.flush()
    for (p, _), ref in list(zip(out, poses))[10:-10]:
        np.testing.assert_allclose(p.xy, ref.xy, atol=1e-6)


def test_centered_smoother_memory_is_bounded():
    sm: CenteredSmoother[None] = CenteredSmoother(radius_s=0.15)
    for i in range(3000):
        sm.push(lunge_pose(t=i / FPS), None)
    assert len(sm._buf) <= 12


def test_centered_smoother_does_not_average_across_an_absence():
    a = lunge_pose(t=0.0, hip_xy=(100, 260))
    gap = Pose.empty((640, 480), 1 / FPS)
    b = lunge_pose(t=2 / FPS, hip_xy=(500, 260))
    sm: CenteredSmoother[None] = CenteredSmoother()
    out = [p for p, _ in sm.push(a, None) + sm.push(gap, None) + sm.push(b, None) + sm.flush()]
    np.testing.assert_allclose(out[0].xy, a.xy)
    assert out[1].is_empty
    np.testing.assert_allclose(out[2].xy, b.xy)


def test_one_euro_reduces_jitter_when_still_and_follows_a_jump():
    clean, noisy = noisy_sequence()
    f = OneEuroFilter()
    out = [f(p) for p in noisy]
    assert np.mean([rms(o.xy, c.xy) for o, c in zip(out[10:], clean[10:])]) < 0.7 * 3.0
    # After a 100 px jump it catches up within a few frames instead of dragging for seconds.
    moved = [lunge_pose(t=(90 + i) / FPS, hip_xy=(420, 260)) for i in range(15)]
    last = [f(p) for p in moved][-1]
    assert rms(last.xy, moved[-1].xy) < 5.0


def test_one_euro_passes_empty_pose_through():
    f = OneEuroFilter()
    e = Pose.empty((640, 480), 0.0)
    assert f(e) is e
