"""stretchcheck: the glue between pixels (``vision``) and rules (``posture_rules``).

The pipeline, the CLI, output files, the tool-session timer and the session store live here;
the Streamlit page (``app.py``) and the CLI are thin layers over ``stretchcheck.pipeline``.
"""

__version__ = "0.1.0"
