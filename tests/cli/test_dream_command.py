"""``dreambot dream`` and ``dreambot models`` run as a person runs them: as a process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from engine.images import read_metadata

SAMPLE = Path(__file__).resolve().parents[2] / "engine" / "samples" / "cat.jpg"
TINY = ["--size", "80", "--octaves", "1", "--steps", "1", "--quiet"]


def dreambot(*arguments: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", "import sys; from bot.cli import main; sys.exit(main())"]
    environment = {**os.environ, "PYTHONPATH": str(SAMPLE.parents[2])}
    return subprocess.run(
        [*command, *map(str, arguments)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
        env=environment,
        check=False,
    )


def test_a_dream_is_written_with_its_options_in_the_png(tmp_path: Path) -> None:
    output = tmp_path / "dream.png"

    finished = dreambot("dream", SAMPLE, "-o", output, "--seed", "4", "--layer", "blocks.3", *TINY)

    assert finished.returncode == 0, finished.stderr
    assert f"Dreamt {output}" in finished.stdout
    metadata = read_metadata(output.read_bytes())
    assert metadata is not None
    assert metadata["options"]["seed"] == 4
    assert metadata["options"]["layer"] == "blocks.3"
    with Image.open(output) as picture:
        assert max(picture.size) == 80


def test_a_dream_from_noise_needs_no_input(tmp_path: Path) -> None:
    output = tmp_path / "noise.png"

    finished = dreambot(
        "dream",
        "--noise",
        "--class",
        "banana",
        "-o",
        output,
        "--size",
        "64",
        "--octaves",
        "1",
        "--steps",
        "2",
        "--quiet",
    )

    assert finished.returncode == 0, finished.stderr
    assert json.dumps(read_metadata(output.read_bytes())).count('"noise"') == 1


def _not_a_picture(tmp_path: Path) -> Path:
    path = tmp_path / "notes.png"
    path.write_text("these are not pixels")
    return path


def _empty(tmp_path: Path) -> Path:
    path = tmp_path / "empty.jpg"
    path.touch()
    return path


@pytest.mark.parametrize(
    ("arguments", "words"),
    [
        (lambda tmp: [_not_a_picture(tmp)], "not a picture"),
        (lambda tmp: [_empty(tmp)], "is empty"),
        (lambda tmp: [tmp / "missing.jpg"], "does not exist"),
        (lambda tmp: [SAMPLE, "--model", "alexnet"], "There is no network named 'alexnet'"),
        (lambda tmp: [SAMPLE, "--layer", "blocks.12"], "no layer in efficientnet_lite0"),
        (lambda tmp: [SAMPLE, "--class", "bananna"], "did you mean 'banana'"),
        (lambda tmp: [SAMPLE, "--octaves", "0"], "octaves must be between 1 and 8, not 0"),
        (lambda tmp: [SAMPLE, "--step-size", "99"], "step size must be between"),
        (lambda tmp: [SAMPLE, "--noise"], "not both"),
        (lambda tmp: [], "Give an INPUT picture"),
        (lambda tmp: [SAMPLE, "--weights", tmp / "gone.pth"], "weights file"),
    ],
    ids=[
        "not an image",
        "zero bytes",
        "missing file",
        "unknown model",
        "unknown layer",
        "unknown class",
        "octaves out of range",
        "step out of range",
        "input and noise",
        "no input",
        "missing weights",
    ],
)
def test_bad_input_exits_2_with_one_sentence(
    tmp_path: Path, arguments: Callable[[Path], list[str | Path]], words: str
) -> None:
    # The tiny settings come first so that the arguments under test override them.
    finished = dreambot("dream", *TINY, *arguments(tmp_path), "-o", tmp_path / "out.png")

    assert finished.returncode == 2
    assert words in finished.stderr
    assert "Traceback" not in finished.stderr
    assert len(finished.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out.png").exists()


def test_the_output_name_must_match_what_is_written(tmp_path: Path) -> None:
    finished = dreambot("dream", SAMPLE, "-o", tmp_path / "dream.jpg", *TINY)

    assert finished.returncode == 2
    assert "name the output *.png" in finished.stderr


def test_models_lists_every_network_and_where_its_weights_are() -> None:
    finished = dreambot("models")

    assert finished.returncode == 0
    lines = finished.stdout.splitlines()
    assert any(
        line.startswith("efficientnet_lite0") and "available offline" in line for line in lines
    )
    assert any(line.startswith("googlenet") for line in lines)
    assert "default layer inception4c" in finished.stdout
