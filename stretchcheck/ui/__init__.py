"""The Streamlit pages. Each page is a ``*_ui()`` function that lays out widgets and returns
plain values; the logic they show lives in plain modules (timer, setup_check, live_view,
plots, report) that are tested without Streamlit."""
