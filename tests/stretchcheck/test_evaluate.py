"""The scoring used by the accuracy benchmark and golden tests, on hand-made rows."""

import pytest

from stretchcheck.evaluate import Episode, episodes_from_rows, score_clip


def rows(spec):
    """spec: list of (time_s, phase, trunk_lean or None, flags)."""
    out = []
    for i, (t, phase, lean, flags) in enumerate(spec):
        out.append({"frame": str(i), "time_s": str(t), "phase": phase,
                    "trunk_lean_deg": "" if lean is None else str(lean), "flags": flags})
    return out


def test_episodes_from_flag_column():
    r = rows([(0.0, "stretch", 0, ""), (0.5, "stretch", 0, "a"), (1.0, "stretch", 0, "a;b"),
              (1.5, "stretch", 0, "b"), (2.0, "stretch", 0, "")])
    assert episodes_from_rows(r) == [Episode("a", 0.5, 1.5), Episode("b", 1.0, 2.0)]


def test_errors_only_in_the_stretch_and_coverage_counts_unknowns():
    truth = rows([(0.0, "setting_up", 40.0, ""), (0.1, "stretch", 10.0, ""), (0.2, "stretch", 12.0, ""),
                  (0.3, "stretch", 14.0, "")])
    est = rows([(0.0, "setting_up", 0.0, ""), (0.1, "stretch", 12.0, ""), (0.2, "stretch", None, ""),
                (0.3, "stretch", 11.0, "")])
    s = score_clip(est, truth).metrics["trunk_lean_deg"].stats()
    assert s["frames"] == 3
    assert s["known_share"] == pytest.approx(2 / 3)
    assert s["mae"] == pytest.approx(2.5)  # |+2| and |-3|
    assert s["bias"] == pytest.approx(-0.5)


def test_flag_recall_precision_and_delay():
    t = [i * 0.1 for i in range(60)]
    truth = rows([(x, "stretch", 0, "trunk_lean_forward" if 1.0 <= x < 3.0 else "") for x in t])
    est = rows([(x, "stretch", 0, "trunk_lean_forward" if 1.6 <= x < 3.4 else
                 ("no_glute_engagement" if 4.5 <= x < 5.0 else "")) for x in t])
    score = score_clip(est, truth)
    lean = score.flags["trunk_lean_forward"].stats()
    assert lean["recall"] == 1.0 and lean["precision"] == 1.0
    assert lean["median_delay_s"] == pytest.approx(0.6)
    glute = score.flags["no_glute_engagement"].stats()
    assert glute["precision"] == 0.0 and glute["recall"] is None
    assert [e.code for e in score.false_flags] == ["no_glute_engagement"]


def test_a_flag_that_never_comes_is_missed():
    t = [i * 0.1 for i in range(30)]
    truth = rows([(x, "stretch", 0, "front_knee_angle" if x >= 1.0 else "") for x in t])
    est = rows([(x, "stretch", 0, "") for x in t])
    score = score_clip(est, truth)
    assert score.flags["front_knee_angle"].stats()["recall"] == 0.0
    assert [e.code for e in score.missed] == ["front_knee_angle"]
