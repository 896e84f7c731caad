"""Drive the app in Chromium with a fake webcam; run inside a private network namespace.

Usage: python drive_live.py CONFIG.json  -> prints one JSON line of results.

Why a namespace: WebRTC media flows over an interface address, not 127.0.0.1; a namespace
with only loopback (plus 127.0.0.2, which aiortc and Chromium both use as a host candidate)
keeps every packet of the test on this machine and off any real network.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("STRETCHCHECK_CHROMIUM", "/usr/bin/chromium")


def setup_loopback() -> None:
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    subprocess.run(["ip", "addr", "add", "127.0.0.2/8", "dev", "lo"], check=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, home: str, log_path: Path) -> subprocess.Popen:
    env = dict(os.environ, STRETCHCHECK_HOME=home)
    log = log_path.open("w")
    return subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true",
         "--browser.gatherUsageStats", "false"],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)


def wait_health(port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise TimeoutError("the Streamlit server did not start")


def webrtc_frame(page: Page):
    return page.frame_locator("iframe[title*='webrtc']").first


def press(page: Page, label: str) -> None:
    button = webrtc_frame(page).get_by_role("button", name=label)
    button.wait_for(timeout=20_000)
    button.click()


def frames_flowing(page: Page, timeout_s: float) -> bool:
    try:
        page.get_by_text(re.compile(r"\d+ frames in this session")).first.wait_for(timeout=timeout_s * 1000)
        return True
    except PlaywrightTimeout:
        return False


def main() -> None:
    cfg = json.loads(Path(sys.argv[1]).read_text())
    shots = Path(cfg["screenshots"])
    shots.mkdir(parents=True, exist_ok=True)
    setup_loopback()
    port = free_port()
    server = start_server(port, cfg["home"], shots / "server.log")
    out: dict = {"ok": False}
    try:
        wait_health(port)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=[
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-video-capture={cfg['y4m']}",
                "--allow-loopback-in-peer-connection"])
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            # Offline means offline: record every request the page makes to another host
            # (fonts from a CDN, a STUN server, telemetry); the test expects none.
            external: list[str] = []
            page.on("request", lambda r: external.append(r.url) if not re.match(
                r"^(https?|wss?)://127\.0\.0\.1[:/]|^(data|blob|about):", r.url) else None)
            page.goto(f"http://127.0.0.1:{port}/", wait_until="domcontentloaded")
            page.get_by_text("Live form check").first.wait_for(timeout=30_000)
            webrtc_frame(page).get_by_role("button", name="START").wait_for(timeout=30_000)
            page.screenshot(path=str(shots / "1_live_before_start.png"))

            started = time.monotonic()
            press(page, "START")
            if not frames_flowing(page, 8.0):
                # START is flaky about one time in ten (a stale component context): retry once.
                out["start_retried"] = True
                with contextlib.suppress(PlaywrightTimeout):
                    press(page, "STOP")
                press(page, "START")
                started = time.monotonic()
                if not frames_flowing(page, 12.0):
                    raise TimeoutError("no frames reached the checker after pressing START twice")
            out["frames_after_s"] = round(time.monotonic() - started, 2)
            cue = page.locator(".stretchcheck-cue", has_text=cfg["expect_cue"])
            cue.first.wait_for(timeout=cfg.get("cue_timeout_s", 15) * 1000)
            out["cue_after_s"] = round(time.monotonic() - started, 2)
            time.sleep(cfg.get("extra_hold_s", 1.0))
            page.screenshot(path=str(shots / "2_live_running_cue.png"))
            press(page, "STOP")
            page.get_by_text("Session saved").first.wait_for(timeout=20_000)
            page.screenshot(path=str(shots / "3_live_stopped_saved.png"))

            # Streamlit scrolls inside its own container, so a full-page screenshot shows only
            # the window: a tall window shows the whole review and analysis pages.
            page.set_viewport_size({"width": 1400, "height": 2800})
            page.goto(f"http://127.0.0.1:{port}/review", wait_until="domcontentloaded")
            page.get_by_text("Review sessions").first.wait_for(timeout=20_000)
            page.get_by_text(cfg["expect_cue"]).first.wait_for(timeout=20_000)
            page.wait_for_timeout(1500)  # let the images and the plot finish loading
            page.screenshot(path=str(shots / "4_review.png"))

            page.goto(f"http://127.0.0.1:{port}/analyse", wait_until="domcontentloaded")
            page.get_by_text("Analyse a video").first.wait_for(timeout=20_000)
            if cfg.get("upload"):
                page.locator("input[type=file]").set_input_files(cfg["upload"])
                page.locator("[data-testid=stSelectbox]").first.click()
                page.get_by_role("option", name="lite").click()  # the fastest model keeps the test short
                page.get_by_role("button", name="Analyse").click()
                page.get_by_text("Timeline").first.wait_for(timeout=cfg.get("upload_timeout_s", 40) * 1000)
                page.wait_for_timeout(1500)
            page.screenshot(path=str(shots / "5_analyse.png"))
            browser.close()
        out["external_requests"] = external
        out["ok"] = True
    except Exception as exc:  # noqa: BLE001 - reported to the pytest side, which shows the server log too
        out["error"] = f"{type(exc).__name__}: {exc}"
    finally:
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
