"""The ceiling for bench/public.py: a bare Flask + Jinja app returning the portal's own pages.

It serves, at the same addresses, the bytes the portal rendered for them (saved by
bench/public.py into BARE_PAGES_DIR), each rendered through a Jinja template as a bare app
would, so the difference between the two is what the portal does beyond Flask and Jinja.
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, render_template

PAGES = Path(os.environ["BARE_PAGES_DIR"])

app = Flask(__name__, template_folder=str(PAGES))


@app.get("/commitments/<slug>")
def commitment(slug: str):
    return render_template("commitment.html")


@app.get("/framework")
def framework():
    return render_template("framework.html")


@app.get("/")
def home():
    return render_template("home.html")
