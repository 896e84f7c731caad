"""The ``stretchcheck`` command line.

Exit codes: 0 the command ran (a video with no person in it is a normal run), 2 the input
was refused (missing, unreadable or not a video; a bad rules file), 1 an unexpected internal
error. Errors are one line on stderr naming the file and the cause, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from pathlib import Path

EXIT_OK, EXIT_INTERNAL, EXIT_REFUSED = 0, 1, 2
DEFAULT_FILE_MODEL = "heavy"
# Kept here rather than imported so that `--help` needs no numpy; a test checks it against
# vision.backends.BACKENDS. ONNX Runtime by default: same weights and landmarks as MediaPipe
# (median 0.2-0.4 px apart), ~1.5x the speed on a 2-core CPU (README, "Speed").
BACKEND_CHOICES = ("onnx", "mediapipe")
DEFAULT_BACKEND = "onnx"


class CliError(Exception):
    """A refusal with a one-line message; becomes exit code 2."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="stretchcheck",
        description="Form checker for the kneeling lunge (hip-flexor) stretch.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    a = sub.add_parser("analyze", help="analyse a recorded video of the stretch")
    a.add_argument("video", help="video file (mp4, mov, webm, avi, ...)")
    a.add_argument("--out", required=True, help="folder for frames.csv, summary.json, annotated.mp4, flags/")
    a.add_argument(
        "--model",
        choices=("lite", "full", "heavy"),
        default=DEFAULT_FILE_MODEL,
        help="BlazePose variant (default: heavy, the only one that met the accuracy targets in "
        "bench/accuracy.py; full and lite are 2-4x faster)",
    )
    a.add_argument("--backend", choices=BACKEND_CHOICES, default=DEFAULT_BACKEND,
                   help="pose backend: onnx (ONNX Runtime, the default: ~1.5x faster on a small CPU) "
                        "or mediapipe (MediaPipe Tasks); both run the same BlazePose weights and "
                        "agree to well under a pixel")
    a.add_argument("--config", help="TOML file overriding the default rule thresholds")
    a.add_argument("--no-video", action="store_true", help="skip writing annotated.mp4")
    a.add_argument("--side", choices=("left", "right"),
                   help="the side you stretched, if you know it: in a pure side view the pose model can "
                        "mistake the near leg for the far one, which swaps the detected side")
    a.add_argument("--markers", action="store_true",
                   help="the person wears stickers on the front (ASIS) and back (PSIS) of the pelvis, "
                        "on the camera's side: measure pelvic tilt from them")
    a.add_argument("--marker-color", "--marker-colour", dest="marker_color", metavar="COLOUR",
                   help="the stickers' colour (implies --markers): green (the default), blue, pink, orange, "
                        "yellow, or an HSV range 'H1-H2[,S[,V]]' (hue in degrees, e.g. 90-160,110,70); pick one "
                        "that neither your clothes nor anything behind your hips has")
    a.add_argument("--no-outline", action="store_true",
                   help="do not measure pelvic tilt from the body outline (skips the pose model's "
                        "segmentation mask, ~15%% faster)")
    a.add_argument("--neutral-from", type=float, metavar="SECONDS",
                   help="calibrate the relaxed (neutral) pelvis over the 3 s from SECONDS; default: the "
                        "first seconds the person kneels upright (or stands) still, side-on, before the lunge")
    a.add_argument("--quiet", action="store_true", help="no progress bar")
    a.add_argument("--no-store", action="store_true", help="do not save this run in the session store")

    s = sub.add_parser("sessions", help="list or show stored sessions (STRETCHCHECK_HOME)")
    ss = s.add_subparsers(dest="sessions_command", required=True)
    ls = ss.add_parser("list", help="all sessions, newest first")
    ls.add_argument("--json", action="store_true", help="print a JSON array")
    sh = ss.add_parser("show", help="one session with its flags")
    sh.add_argument("id", help="session id (12 hex digits, from `sessions list`)")
    sh.add_argument("--json", action="store_true", help="print JSON")
    return parser


def _analyze(args: argparse.Namespace) -> int:
    from posture_rules.config import ConfigError, load_config

    try:
        rules = load_config(args.config) if args.config else load_config()
    except ConfigError as exc:
        raise CliError(str(exc)) from None

    from tqdm import tqdm

    from stretchcheck.pipeline import AnalyzeOptions, analyze_video
    from vision.native_logs import quiet_native_stderr
    from vision.video import VideoError

    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise CliError(f"cannot write results to '{out}': it exists and is not a folder")
    bar = None

    def progress(done: int, total: int | None) -> None:
        nonlocal bar
        if args.quiet:
            return
        if bar is None:
            bar = tqdm(total=total, unit="frame", desc=Path(args.video).name, leave=False, file=sys.stderr)
        bar.update(done - bar.n)

    markers = args.marker_color or ("green" if args.markers else None)
    if markers:
        from vision.markers import MarkerColour

        try:
            MarkerColour.parse(markers)
        except ValueError as exc:
            raise CliError(str(exc)) from None
    if args.neutral_from is not None and not args.neutral_from >= 0:
        raise CliError(f"--neutral-from must be a time in seconds >= 0, got {args.neutral_from}")
    options = AnalyzeOptions(
        model=args.model, backend=args.backend, rules=rules, write_video=not args.no_video, side=args.side,
        outline=not args.no_outline, markers=markers, neutral_from_s=args.neutral_from,
    )
    try:
        with quiet_native_stderr():
            summary = analyze_video(args.video, out, options, progress)
    except VideoError as exc:
        raise CliError(str(exc)) from None
    except PermissionError as exc:
        raise CliError(f"cannot write results to '{out}': {exc.strerror}") from None
    except FileNotFoundError as exc:  # a model bundle missing from the checkout
        raise CliError(str(exc)) from None
    except ValueError as exc:  # an unknown backend or model name
        raise CliError(str(exc)) from None
    finally:
        if bar is not None:
            bar.close()
    if not args.no_store:
        from stretchcheck.store import SessionStore

        try:
            session_id = SessionStore().save_analysis(summary, out, source="cli")
        except (OSError, sqlite3.Error) as exc:
            # The analysis itself is on disk; a store that cannot be written is reported,
            # not allowed to turn a finished run into a failure.
            print(f"stretchcheck: warning: run not saved in the session store: {exc}", file=sys.stderr)
        else:
            summary["session_id"] = session_id
    _print_summary(summary, out)
    return EXIT_OK


def _sessions(args: argparse.Namespace) -> int:
    from stretchcheck.store import SessionStore, StoreError

    try:
        store = SessionStore()
        if args.sessions_command == "list":
            sessions = store.list_sessions()
            if args.json:
                keep = ("code", "start_s", "end_s")
                rows = [
                    {k: s[k] for k in ("id", "started_at", "source", "side", "hold_s", "good_form_s", "status", "video_name")}
                    | {"flags": [{k: f[k] for k in keep} for f in s["flags"]]}
                    for s in sessions
                ]
                print(json.dumps(rows, indent=2))
            else:
                if not sessions:
                    print("no sessions stored yet")
                for s in sessions:
                    codes = ", ".join(sorted({f["code"] for f in s["flags"]})) or "no flags"
                    print(f"{s['id']}  {s['started_at']}  {s['source']:6}  side={s['side'] or '-':5}  "
                          f"hold {s['hold_s']:5.1f} s  good {s['good_form_s']:5.1f} s  {codes}")
        else:
            session = store.get_session(args.id)
            if args.json:
                print(json.dumps(session, indent=2))
            else:
                print(f"session {session['id']} ({session['source']}, {session['started_at']}, {session['status']})")
                if session["video_name"]:
                    print(f"video: {session['video_name']}")
                print(f"stretched side: {session['side'] or '-'}; held {session['hold_s']:.1f} s, "
                      f"good form {session['good_form_s']:.1f} s")
                for f in session["flags"]:
                    print(f"  #{f['id']} {f['start_s']:6.2f}-{f['end_s']:6.2f} s  {f['code']} [{f['review']}]: {f['message']}")
    except StoreError as exc:
        raise CliError(str(exc)) from None
    except (OSError, sqlite3.Error) as exc:
        raise CliError(f"cannot open the session store: {exc}") from None
    return EXIT_OK


def _print_summary(summary: dict, out: Path) -> None:
    clip = summary["clip"]
    print(f"{clip['file']}: {clip['frames']} frames, {clip['duration_s']:.1f} s")
    if summary.get("reading_stopped"):
        print(f"warning: {summary['reading_stopped']}; the frames before it were analysed")
    print(summary["message"])
    for warning in summary.get("warnings", []):
        print(f"warning: {warning}")
    if summary.get("side_note"):
        print(f"note: {summary['side_note']}")
    if summary["person_found"] and summary["stretched_side"]:
        print(f"stretched side: {summary['stretched_side']}; held {summary['hold_s']:.1f} s, "
              f"good form {summary['good_form_s']:.1f} s")
    if summary.get("pelvic_tilt"):
        print(summary["pelvic_tilt"]["note"])
    if any(f["code"] == "no_glute_engagement" for f in summary["flags"]):
        print("note: glute engagement is inferred from movement (hip extension, pelvic tuck), "
              "not measured: a camera cannot see a muscle contract")
    for f in summary["flags"]:
        print(f"  {f['start_s']:6.2f}-{f['end_s']:6.2f} s  {f['code']}: {f['message']}")
    print(f"results in {out}/")
    if summary.get("session_id"):
        print(f"saved as session {summary['session_id']} (stretchcheck sessions show {summary['session_id']})")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "analyze":
            return _analyze(args)
        if args.command == "sessions":
            return _sessions(args)
    except CliError as exc:
        print(f"stretchcheck: error: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    except KeyboardInterrupt:
        print("stretchcheck: interrupted; frames.csv holds every frame analysed so far", file=sys.stderr)
        return 130
    except Exception as exc:  # never a traceback for a user: one line, and exit 1
        print(f"stretchcheck: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_INTERNAL
    return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
