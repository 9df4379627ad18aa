"""Real gunicorn servers for the deployment tests and the load test, and a small HTTP client.

`gunicorn_server()` starts `gunicorn pass_unit.wsgi` on a free loopback port with the given
environment and waits until it answers; `Browser` keeps cookies per host (like a browser, it
sends them whatever the port) and fills in the CSRF token of the forms it posts.
"""

import html
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.cookiejar import CookieJar
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url(settings_dict: dict) -> str:
    """A DATABASE_URL for django-environ naming the database of `settings_dict` (a socket or a host)."""
    user = urllib.parse.quote(settings_dict.get("USER") or "")
    password = settings_dict.get("PASSWORD") or ""
    credentials = f"{user}:{urllib.parse.quote(password)}" if password else user
    options = settings_dict.get("OPTIONS") or {}
    host = settings_dict.get("HOST") or options.get("host") or ""
    port = settings_dict.get("PORT") or options.get("port") or ""
    name = settings_dict["NAME"]
    if host.startswith("/"):
        # As pass_unit.embedded_db writes it: django-environ does not unquote the socket folder.
        query = f"host={host}" + (f"&port={port}" if port else "")
        return f"postgresql://{credentials}@/{name}?{query}"
    netloc = f"{host}:{port}" if port else host
    return f"postgresql://{credentials}@{netloc}/{name}"


def server_env(db_url: str, *, secret_key: str | None = None, **extra: str) -> dict:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST", "DATABASE_", "PASS_UNIT_TEST"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="pass_unit.settings",
        DATABASE_URL=db_url,
        SECRET_KEY=secret_key or secrets.token_urlsafe(50),
        DEBUG="0",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL="0",
    )
    env.update(extra)
    return env


@contextmanager
def gunicorn_server(env: dict, *, workers: int = 1, timeout: float = 45.0, log: Path | None = None) -> Iterator[str]:
    """Run gunicorn on a free port; yields its base URL, stops it on exit."""
    port = free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    output = open(log, "wb") if log else subprocess.DEVNULL  # closed below
    process = subprocess.Popen(
        [
            str(gunicorn),
            "pass_unit.wsgi",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "60",
            "--no-control-socket",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=output,
        stderr=output,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, process, timeout)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if log:
            output.close()


def wait_until_up(base: str, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn on {base} exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/accounts/login/", timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    raise RuntimeError(f"gunicorn on {base} did not answer within {timeout:.0f} s")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class Browser:
    """Cookies shared across ports (as a browser does for one host name), no automatic redirects."""

    def __init__(self) -> None:
        self.cookies = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), NoRedirect())

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.cookies if c.name == name), None)

    def request(self, url: str, data: dict | None = None) -> tuple[int, dict, bytes]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        req = urllib.request.Request(url, data=body, headers={"Referer": url})
        try:
            with self.opener.open(req, timeout=60) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:  # 3xx (redirects are not followed), 4xx, 5xx
            return error.code, dict(error.headers), error.read()

    def get(self, url: str) -> tuple[int, dict, bytes]:
        return self.request(url)

    def post_form(self, url: str, data: dict, *, form_url: str | None = None) -> tuple[int, dict, bytes]:
        """GET the form page (for its CSRF token), then POST `data` with the token."""
        status, _headers, page = self.get(form_url or url)
        assert status == 200, f"GET {form_url or url} answered {status}"
        token = CSRF_INPUT.search(page.decode())
        assert token, f"no CSRF token in {form_url or url}"
        return self.request(url, {**data, "csrfmiddlewaretoken": html.unescape(token.group(1))})

    def log_in(self, base: str, username: str, password: str) -> None:
        status, headers, _ = self.post_form(f"{base}/accounts/login/", {"username": username, "password": password})
        assert status == 302, f"login as {username} on {base} answered {status}"
