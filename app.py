"""stretchcheck's web app: `streamlit run app.py`.

Three pages: Live (webcam cues beside the tool-session timer; the first page a person
sees), Analyse a video (upload), and Review (a therapist's view of stored sessions).
Everything runs offline; sessions are stored under STRETCHCHECK_HOME (default ~/.stretchcheck).
"""

import streamlit as st

from stretchcheck.ui.common import guarded
from stretchcheck.ui.live_page import live_ui
from stretchcheck.ui.review_page import review_ui
from stretchcheck.ui.upload_page import upload_ui

st.set_page_config(page_title="stretchcheck", layout="wide")
page = st.navigation([
    st.Page(guarded(live_ui), title="Live", url_path="live", default=True),
    st.Page(guarded(upload_ui), title="Analyse a video", url_path="analyse"),
    st.Page(guarded(review_ui), title="Review", url_path="review"),
])
page.run()
