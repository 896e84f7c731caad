"""The tool-session timer: protocol order, windows, pause, and the checker-driven lunge step."""

import pytest

from stretchcheck.timer import PROTOCOL, SIDES, ToolSessionTimer, spec_for, verdict


def test_protocol_order_is_the_domain_brief_for_each_side():
    t = ToolSessionTimer()
    seen = []
    while not t.finished:
        record, spec = t.current
        seen.append((record.side, spec.key))
        t.next(0.0)
    assert seen == [(side, key) for side in SIDES for key in ("psoas", "iliacus", "ball", "lunge")]
    assert t.status(0.0).message.startswith("Tool session complete")


@pytest.mark.parametrize(
    ("seconds", "level", "words"),
    [
        (10.0, "warn", "too short"),    # under 30 s
        (29.9, "warn", "too short"),
        (30.0, "ok", "window"),         # the window's edges are inside it
        (90.0, "ok", "window"),
        (90.5, "warn", "more than needed"),
    ],
)
def test_pressure_window_verdicts(seconds, level, words):
    v = verdict(spec_for("psoas"), seconds)
    assert v.level == level and words in v.message


def test_wall_clock_steps_count_only_while_running_and_next_keeps_running():
    t = ToolSessionTimer()
    t.start(100.0)
    assert t.elapsed(112.0) == pytest.approx(12.0)
    t.pause(112.0)
    assert t.elapsed(500.0) == pytest.approx(12.0)  # paused: the clock does not count
    t.start(500.0)
    t.next(540.0)  # psoas ends at 52 s, iliacus starts running at once
    assert t.records[0].elapsed_s == pytest.approx(52.0) and t.records[0].done
    assert t.running and t.current[1].key == "iliacus"
    assert t.elapsed(545.0) == pytest.approx(5.0)
    assert "to the 30 s minimum" in t.status(545.0).message
    assert t.status(640.0).level == "warn"  # 100 s: over 90 s


def test_summary_flags_a_step_ended_too_soon():
    t = ToolSessionTimer()
    t.start(0.0)
    t.next(20.0)
    rows = t.summary()
    assert rows == [{"side": "left", "step": "Psoas pressure", "seconds": 20.0,
                     "verdict": "Under 30 s: too short for the muscle to release."}]


def _at_lunge(side: str = "left") -> ToolSessionTimer:
    t = ToolSessionTimer()
    while t.current[1].key != "lunge" or t.current[0].side != side:
        t.next(0.0)
    return t


def test_lunge_step_counts_the_checkers_good_form_seconds_not_the_clock():
    t = _at_lunge()
    t.start(0.0)
    t.observe_checker("s1", 0.0, "left")
    t.observe_checker("s1", 4.0, "left")
    assert t.elapsed(1000.0) == pytest.approx(4.0)  # wall time is ignored for this step
    t.observe_checker("s1", 4.0, "left")  # a flag raised: good form stops growing
    t.observe_checker("s2", 1.5, "left")  # a new live session: its total restarts at 0
    t.observe_checker("s2", 3.0, "left")
    assert t.elapsed(0.0) == pytest.approx(5.5)


def test_lunge_step_ignores_the_other_hip_and_says_so():
    t = _at_lunge("left")
    t.start(0.0)
    t.observe_checker("s1", 0.0, "right")
    t.observe_checker("s1", 6.0, "right")
    assert t.elapsed(0.0) == 0.0
    assert "right hip" in t.status(0.0).message and t.status(0.0).level == "warn"


def test_paused_lunge_step_does_not_count():
    t = _at_lunge()
    t.observe_checker("s1", 0.0, "left")
    t.observe_checker("s1", 5.0, "left")
    assert t.elapsed(0.0) == 0.0


def test_reset_and_serialisable_state():
    t = ToolSessionTimer()
    t.start(0.0)
    t.next(40.0)
    d = t.to_dict()
    assert d["index"] == 1 and len(d["records"]) == len(SIDES) * len(PROTOCOL)
    t.reset()
    assert t.index == 0 and not t.running and t.records[0].elapsed_s == 0.0
