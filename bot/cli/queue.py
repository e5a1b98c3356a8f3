"""``dreambot submit``, ``dreambot jobs`` and ``dreambot cancel``: the queue from a terminal.

Jobs submitted here belong to a local user (``--user NAME``) in the ``local`` community, with
the same quotas and fair order as people in chat. ``--wait`` follows the dream to its end and
writes the result.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

from bot.settings import Settings, load_settings
from bot.store.service import DreamService
from bot.store.views import JobView, Requester
from engine.errors import BadInput
from engine.options import DreamOptions

EXIT_DREAM_FAILED = 1
_OPTION_FLAGS = {"dream_class": "--class"}


def register(subcommands: Any) -> None:
    _register_submit(subcommands)
    _register_jobs(subcommands)
    _register_cancel(subcommands)


def _register_submit(subcommands: Any) -> None:
    parser: argparse.ArgumentParser = subcommands.add_parser(
        "submit",
        help="queue a dream as a local user",
        description="Queue a dream for the engine processes, as a local user.",
    )
    parser.add_argument("input", nargs="?", type=Path, help="the picture to dream (none: noise)")
    parser.add_argument("--user", required=True, help="the local user the dream belongs to")
    parser.add_argument("--admin", action="store_true", help="submit as a community admin")
    parser.add_argument("--guide-image", type=Path, help="the guide picture of a guided dream")
    parser.add_argument("--wait", action="store_true", help="wait for the dream and save it")
    parser.add_argument("-o", "--output", type=Path, help="where --wait saves the result")
    options = parser.add_argument_group("dream options")
    for field in dataclasses.fields(DreamOptions):
        flag = _OPTION_FLAGS.get(field.name, "--" + field.name.replace("_", "-"))
        if field.type in ("bool", bool):
            options.add_argument(flag, dest=field.name, action="store_true", default=None)
        else:
            kind = {"int": int, "float": float}.get(str(field.type), str)
            options.add_argument(flag, dest=field.name, type=kind, default=None)
    parser.set_defaults(handler=run_submit)


def _register_jobs(subcommands: Any) -> None:
    parser: argparse.ArgumentParser = subcommands.add_parser(
        "jobs", help="list the newest jobs", description="List jobs, newest first."
    )
    parser.add_argument("--json", action="store_true", help="one JSON document, for scripts")
    parser.add_argument("--limit", type=int, default=50, help="how many jobs (default 50)")
    parser.add_argument(
        "--status", action="append", default=[], help="only jobs in this status (repeatable)"
    )
    parser.set_defaults(handler=run_jobs)


def _register_cancel(subcommands: Any) -> None:
    parser: argparse.ArgumentParser = subcommands.add_parser(
        "cancel", help="cancel a job", description="Cancel a waiting or running job."
    )
    parser.add_argument("job", type=int, help="the job id, as `dreambot jobs` shows it")
    parser.set_defaults(handler=run_cancel)


def run_submit(args: argparse.Namespace) -> int:
    chosen = {
        field.name: getattr(args, field.name)
        for field in dataclasses.fields(DreamOptions)
        if getattr(args, field.name) is not None
    }
    if args.guide_image is not None:
        chosen["guide"] = True
    options = DreamOptions.from_dict(chosen)
    input_bytes = _read_picture(args.input)
    guide_bytes = _read_picture(args.guide_image)
    requester = Requester.local(args.user, is_admin=args.admin)
    return asyncio.run(
        _submit(load_settings(), requester, options, input_bytes, guide_bytes, args=args)
    )


async def _submit(
    settings: Settings,
    requester: Requester,
    options: DreamOptions,
    input_bytes: bytes | None,
    guide_bytes: bytes | None,
    *,
    args: argparse.Namespace,
) -> int:
    service = DreamService.open(settings)
    try:
        submitted = await service.submit(
            requester, options, input_bytes=input_bytes, guide_bytes=guide_bytes
        )
        print(f"Job {submitted.job_id} queued at place {submitted.place}.")
        if not args.wait:
            return 0
        final = await _follow(service, submitted.job_id)
        if final.result_sha256 is None:
            print(f"Job {final.id} {final.status}: {final.error}", file=sys.stderr)
            return EXIT_DREAM_FAILED
        output = args.output or Path(f"dream-{final.id}.{_extension(final)}")
        data = await service.read_media(final.result_sha256)
        output.write_bytes(data or b"")
        print(f"Job {final.id} done: {output}")
        return 0
    finally:
        await service.close()


async def _follow(service: DreamService, job_id: int) -> JobView:
    last = None
    async for view in service.watch(job_id):
        last = view
        if sys.stderr.isatty():
            print(f"\r{view.status} {view.progress:4.0%}", end="", file=sys.stderr, flush=True)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    if last is None:
        raise RuntimeError(f"Job {job_id} could not be followed.")
    return last


def run_jobs(args: argparse.Namespace) -> int:
    settings = load_settings()
    service = DreamService.open(settings)
    try:
        jobs = service.queue.list_jobs(limit=args.limit, statuses=tuple(args.status))
    finally:
        service.queue.database.dispose()
    rows = [_job_row(service, job) for job in jobs]
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    print(f"{'ID':>6}  {'STATUS':<9} {'PROGRESS':>8} {'TRIES':>5}  {'USER':<20} RESULT")
    for row in rows:
        print(
            f"{row['id']:>6}  {row['status']:<9} {row['progress']:>8.0%} {row['attempts']:>5}  "
            f"{row['user'][:20]:<20} {row['result_path'] or row['error'] or ''}"
        )
    return 0


def run_cancel(args: argparse.Namespace) -> int:
    service = DreamService.open(load_settings())
    try:
        view = service.queue.cancel(args.job, by=None)
    finally:
        service.queue.database.dispose()
    if view.status in ("cancelled", "running"):
        print(f"Job {view.id} is {view.status}; a running dream stops within one step.")
        return 0
    print(f"Job {view.id} had already ended ({view.status}).")
    return 0


def _job_row(service: DreamService, job: JobView) -> dict[str, Any]:
    result_path = service.media_path(job.result_sha256) if job.result_sha256 else None
    return {
        "id": job.id,
        "status": str(job.status),
        "progress": round(job.progress, 3),
        "octave": job.octave,
        "octaves": job.octaves,
        "attempts": job.attempts,
        "user": f"{job.requester.platform}:{job.requester.display_name}",
        "community": job.community.id if job.community else None,
        "result_path": str(result_path) if result_path else None,
        "result_sha256": job.result_sha256,
        "error": job.error,
        "created_at": job.created_at.isoformat(),
        "started_at": job.started_at.isoformat() if job.started_at else None,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
        "options": job.options.to_dict(),
    }


def _read_picture(path: Path | None) -> bytes | None:
    if path is None:
        return None
    try:
        return path.read_bytes()
    except OSError as exc:
        raise BadInput(f"The picture {str(path)!r} cannot be read: {exc.strerror}.") from exc


def _extension(job: JobView) -> str:
    return (job.result_media_type or "image/png").rsplit("/", 1)[1]
