"""The webcam component: streamlit-webrtc wired to a ``LiveRunner``.

Kept in its own module so tests can replace ``show`` with a stand-in: Streamlit's AppTest
cannot render this component, and the real one is tested in Chromium (tests/e2e).
"""

from __future__ import annotations

from stretchcheck.live_session import LiveRunner


def show(runner: LiveRunner) -> bool:
    """Render the webcam with the live pipeline on every frame; returns whether it is playing.

    The frame callback runs on streamlit-webrtc's worker thread, not this script's thread:
    ``runner.on_frame`` hands each result to the page through the runner's lock-protected
    snapshot, which the page polls (see ``live_page``).
    """
    from streamlit_webrtc import WebRtcMode, webrtc_streamer

    ctx = webrtc_streamer(
        key="live-webcam",
        mode=WebRtcMode.SENDRECV,
        # No STUN/TURN servers: the default asks a public STUN server, unreachable offline;
        # browser and app on one machine or one LAN connect through host candidates.
        rtc_configuration={"iceServers": []},
        media_stream_constraints={"video": {"width": 640, "height": 480, "frameRate": 30}, "audio": False},
        video_frame_callback=runner.on_frame,
        on_video_ended=runner.on_ended,
        async_processing=True,  # keep only the newest frame when the pipeline falls behind
        video_html_attrs={"autoPlay": True, "controls": False, "muted": True, "style": {"width": "100%"}},
    )
    return bool(ctx.state.playing)
