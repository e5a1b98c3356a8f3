"""``dreambot serve``: the embedded default runs an engine, and says what enables chat."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.cli import main
from bot.store import migrate

pytestmark = pytest.mark.slow

_CLI = "import sys; from bot.cli import main; sys.exit(main(sys.argv[1:]))"
_CHAT_VARIABLES = (
    "DISCORD_TOKEN",
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_CLIENT_ID",
    "SLACK_CLIENT_SECRET",
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    values = {
        "DREAMBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'dreambot.sqlite3'}",
        "DREAMBOT_MEDIA_DIR": str(tmp_path / "media"),
        "DREAMBOT_WEB_PORT": str(_free_port()),
        "DREAMBOT_SLACK_PORT": str(_free_port()),
        "DREAMBOT_RECHECK_SECONDS": "30",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    for name in _CHAT_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}


def test_serve_refuses_an_out_of_date_schema_in_one_sentence(
    environment: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["serve"])

    error = capsys.readouterr().err.strip()
    assert status == 3
    assert error.startswith("dreambot: The database schema is out of date")
    assert error.endswith("run `dreambot db upgrade`.")
    assert "Traceback" not in error


def test_serve_runs_an_engine_that_dreams_and_stops_on_sigterm(
    environment: dict[str, str], tmp_path: Path
) -> None:
    migrate.upgrade(environment["DREAMBOT_DATABASE_URL"])
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        serve = subprocess.Popen(
            [sys.executable, "-c", _CLI, "-v", "serve"],
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        result = tmp_path / "out.png"
        submit = subprocess.run(
            [
                sys.executable,
                "-c",
                _CLI,
                "submit",
                "--mode",
                "noise",
                "--size",
                "64",
                "--octaves",
                "1",
                "--steps",
                "1",
                "--user",
                "zoe",
                "--wait",
                "-o",
                str(result),
            ],
            env=environment,
            check=False,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert submit.returncode == 0, submit.stderr
        assert result.stat().st_size > 0
    finally:
        serve.send_signal(signal.SIGTERM)
        began = time.monotonic()
        serve.wait(timeout=90)

    printed = log.read_text()
    assert serve.returncode == 0, printed
    assert time.monotonic() - began < 60
    assert "set DISCORD_TOKEN" in printed
    assert "SLACK_BOT_TOKEN" in printed
    assert "Engine 0 started" in printed
