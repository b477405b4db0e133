"""What a web worker carries from start-up.

Heavy libraries that only some requests need are imported on first use, not when the app is
created: scikit-learn, numpy's scipy and joblib (suggested tags), WeasyPrint (PDFs) and
python-docx (Word documents). Every gunicorn worker that never draws a suggestion or a document
then stays about 110 MB smaller, which keeps the million-row staff export under its memory
budget. A fresh interpreter is used, since the test process itself has imported them already.
"""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("sklearn", "scipy", "joblib", "weasyprint", "docx")

PROBE = """
import json, sys
from flask_migrate import upgrade
from portal import create_app
app = create_app(instance_path=sys.argv[1])
with app.app_context():
    upgrade()
with app.test_client() as client:
    assert client.get("/healthz").status_code == 200
    assert client.get("/framework").status_code == 200
print(json.dumps(sorted(name for name in sys.modules if name.split(".")[0] in %r)))
"""


def test_creating_the_app_and_serving_public_pages_imports_no_heavy_library(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite:///{tmp_path / 'startup.db'}"}
    done = subprocess.run(  # noqa: S603 - our own interpreter and probe
        [sys.executable, "-c", PROBE % (HEAVY,), str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert loaded == []
