"""`.ci/audit` when the advisory services do not answer: it says loudly that nothing was
audited and carries on (exit 0), as the README says; it never reports "no vulnerabilities".

The services are made unreachable by a proxy on a closed local port, so the test needs no
network and gives the same answer everywhere; empty caches keep an earlier audit's answers out.
"""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again when the block ends: nothing listens


def test_an_unreachable_advisory_service_is_a_warning_not_a_pass(tmp_path: Path):
    proxy = f"http://127.0.0.1:{closed_port()}"
    env = os.environ | {
        "HTTPS_PROXY": proxy,
        "HTTP_PROXY": proxy,
        "https_proxy": proxy,
        "http_proxy": proxy,
        "NO_PROXY": "",
        "no_proxy": "",
        "npm_config_proxy": proxy,
        "npm_config_https_proxy": proxy,
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "PIP_CACHE_DIR": str(tmp_path / "pip-cache"),
        "npm_config_cache": str(tmp_path / "npm-cache"),
    }
    result = subprocess.run(  # noqa: S603  (our own script)
        ["bash", str(ROOT / ".ci" / "audit")],  # noqa: S607  (bash from PATH, as CI runs it)
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert (
        "WARNING: the vulnerability service did not answer: the Python packages were NOT "
        "audited." in output
    )
    assert "WARNING: npm audit could not reach the advisory service" in output
    assert "No known vulnerabilities found" not in output
    assert "npm audit: {" not in output  # no counts: nothing was audited
    assert not (ROOT / ".ci" / "pip-audit.out").exists()
    assert not (ROOT / ".ci" / "npm-audit.json").exists()
