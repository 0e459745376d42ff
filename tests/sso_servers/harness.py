"""Starts the test identity platform (OIDC provider and CAS server) as a subprocess on a free
loopback port, with its own SQLite database and an RSA key generated for the run."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

ROOT = Path(__file__).resolve().parents[2]
CLIENT_SECRET = "govcloud-test-client-secret-0123456789"
PASSWORD = "Idp-Test-Pass-1"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class IdentityPlatform:
    base_url: str
    folder: Path
    process: subprocess.Popen
    key_pem: bytes = field(repr=False)

    @property
    def issuer(self) -> str:
        return f"{self.base_url}/o"

    @property
    def discovery_url(self) -> str:
        return f"{self.base_url}/o/.well-known/openid-configuration"

    @property
    def cas_url(self) -> str:
        return f"{self.base_url}/cas/"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _env(folder: Path, seed: dict) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GOVCLOUD_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="tests.sso_servers.settings",
        SSO_SERVER_DIR=str(folder),
        SSO_SERVER_SEED=json.dumps(seed),
        PYTHONPATH=str(ROOT),
    )
    return env


def start(*, rp_base_urls: list[str]) -> IdentityPlatform:
    """`rp_base_urls`: where GovCloud runs (e.g. "http://testserver"), for the registered URIs."""
    folder = Path(tempfile.mkdtemp(prefix="govcloud-idp-"))
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    )
    (folder / "oidc.key").write_bytes(key_pem)
    seed = {
        "client_secret": CLIENT_SECRET,
        "redirect_uris": [f"{u}/accounts/sso/oidc/callback/" for u in rp_base_urls],
        "post_logout_redirect_uris": [f"{u}/accounts/login/" for u in rp_base_urls],
    }
    env = _env(folder, seed)
    python = sys.executable
    subprocess.run([python, "-m", "django", "migrate", "-v", "0"], env=env, cwd=ROOT, check=True)
    subprocess.run(
        [python, "-m", "django", "shell", "-c", "from tests.sso_servers.seed import run; run()"],
        env=env,
        cwd=ROOT,
        check=True,
    )
    port = _free_port()
    log = open(folder / "server.log", "wb")  # noqa: SIM115 (open for the process's lifetime)
    process = subprocess.Popen(
        [python, "-m", "django", "runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks"],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    platform = IdentityPlatform(base_url=f"http://127.0.0.1:{port}", folder=folder, process=process, key_pem=key_pem)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the test identity platform exited: {(folder / 'server.log').read_text()}")
        try:
            if requests.get(platform.discovery_url, timeout=2).status_code == 200:
                return platform
        except requests.RequestException:
            pass
        time.sleep(0.3)
    platform.stop()
    raise RuntimeError("the test identity platform did not start within 60 s")
