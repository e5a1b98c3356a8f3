"""The operator's queue commands, run as ``dreambot`` runs them, against a worker thread."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from bot.cli import main
from bot.settings import Settings, load_settings
from bot.store.queue import JobQueue
from engine.worker import Worker

TINY = ["--size", "64", "--octaves", "1", "--steps", "1", "--jitter", "4"]


@pytest.fixture
def environment(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("DREAMBOT_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("DREAMBOT_MEDIA_DIR", str(settings.media_dir))
    monkeypatch.setenv("DREAMBOT_RECHECK_SECONDS", "30")
    return settings


@pytest.fixture
def worker_thread(
    environment: Settings, queue: JobQueue, start_worker: Callable[[JobQueue], Worker]
) -> Worker:
    return start_worker(queue)


def test_submit_waits_and_writes_the_dream(
    worker_thread: Worker, png_bytes: bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    picture = tmp_path / "in.png"
    picture.write_bytes(png_bytes)
    output = tmp_path / "out.png"

    status = main(["submit", str(picture), *TINY, "--user", "ana", "--wait", "-o", str(output)])

    assert status == 0
    assert Image.open(output).size[0] == 64
    assert "queued at place 1" in capsys.readouterr().out


def test_jobs_lists_status_and_result_as_json(
    worker_thread: Worker, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["submit", "--mode", "noise", *TINY, "--user", "ana", "--wait"]) == 0
    capsys.readouterr()

    assert main(["jobs", "--json"]) == 0

    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["status"] == "done"
    assert rows[0]["progress"] == 1.0
    assert rows[0]["attempts"] == 1
    assert Path(rows[0]["result_path"]).is_file()


def test_cancel_stops_a_waiting_job(environment: Settings, capsys: pytest.CaptureFixture[str]):
    assert main(["submit", "--mode", "noise", *TINY, "--user", "ana"]) == 0
    capsys.readouterr()

    assert main(["cancel", "1"]) == 0

    assert "Job 1 is cancelled" in capsys.readouterr().out
    assert main(["jobs", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["status"] == "cancelled"


def test_bad_options_are_one_sentence_and_exit_2(
    environment: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["submit", "--mode", "noise", "--size", "9", "--user", "ana"])

    assert status == 2
    assert capsys.readouterr().err.strip() == "dreambot: size must be between 64 and 4096, not 9."


def test_settings_come_from_the_environment_over_the_config_file(tmp_path: Path) -> None:
    config = tmp_path / "dreambot.toml"
    config.write_text('database_url = "sqlite:///from-file.db"\nquota_user_daily = 7\n')

    settings = load_settings(
        {"DREAMBOT_CONFIG": str(config), "DREAMBOT_DATABASE_URL": "sqlite:///env.db"}
    )

    assert settings.database_url == "sqlite:///env.db"
    assert settings.quotas.user_daily == 7
    assert settings.media_dir == Path("data/media")


def test_tokens_never_show_in_the_settings_repr() -> None:
    settings = load_settings({"DISCORD_TOKEN": "very-secret-token"})

    assert settings.discord_token == "very-secret-token"
    assert "very-secret-token" not in repr(settings)
