"""The operator's try-it page: dream a picture (or noise) and watch it happen.

The page answers only requests made on this machine, without a proxy in between. A dream
started here goes through the same queue and quotas as one asked for in chat, as the local
user in the ``local`` community, and lands in that community's gallery. Its progress, with
the preview of every finished octave, streams to the page as server-sent events.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from aiohttp import web

from bot import grammar, messages
from bot.gallery import links, security
from bot.gallery.cards import SHARE_ORIGINAL, media_path
from bot.gallery.describe import alt_text
from bot.gallery.site import CONFIG, SERVICE, json_response, render
from bot.store.errors import JobNotFound
from bot.store.models import FailureKind, JobStatus
from bot.store.views import JobView, Requester
from engine.errors import BadInput
from engine.images import decode_image
from engine.options import DreamOptions, Mode

_log = logging.getLogger(__name__)

UPLOAD_PREFIX = "/try/"
DEFAULT_SIZE = 256
DEFAULT_STRENGTH = "classic"
LOOPBACK_ONLY = "The try-it page answers only on the machine dreambot runs on."

_FORM_FIELDS = ("model", "layer", "dream_class", "strength", "octaves", "size", "steps")


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/try", page)
    router.add_post("/try/dreams", start)
    router.add_get(r"/try/dreams/{job_id:\d+}/events", events)


async def page(request: web.Request) -> web.Response:
    """The form, and the progress of the dream named by ``?job=`` when there is one."""
    _check_loopback(request)
    from engine.networks import NETWORKS

    job = request.query.get("job", "")
    quota = await request.app[SERVICE].quota(_local_user(request))
    default = NETWORKS[DreamOptions().model]
    context = {
        "local_user": request.app[CONFIG].local_user,
        "submit_url": "/try/dreams",
        "events_url": _events_path(int(job)) if job.isdigit() else None,
        "networks": [
            {
                "name": spec.name,
                "label": spec.title,
                "layers": spec.layer_names,
                "default_layer": spec.default_layer,
            }
            for spec in NETWORKS.values()
        ],
        "default_network": default.name,
        "categories": default.categories,
        "strengths": [
            {"name": name, "label": f"{name} ({preset.steps} steps of {preset.step_size:g})"}
            for name, preset in grammar.STRENGTHS.items()
        ],
        "default_strength": DEFAULT_STRENGTH,
        "max_size": quota.max_size,
        "default_size": min(DEFAULT_SIZE, quota.max_size),
        "max_upload": messages.byte_size(request.app[CONFIG].max_upload_bytes),
    }
    response = render(request, "try.html", context)
    response.headers["Cache-Control"] = "no-store"
    return response


async def start(request: web.Request) -> web.Response:
    """Queue the dream the form asks for; JSON for the page's script, a redirect without it."""
    _check_loopback(request)
    limit = request.app[CONFIG].max_upload_bytes
    if request.content_length is not None and request.content_length > limit:
        raise web.HTTPRequestEntityTooLarge(
            max_size=limit,
            actual_size=request.content_length,
            text=messages.file_too_large(limit, request.content_length),
        )

    form = await request.post()
    picture = _picture(form.get("picture"))
    try:
        options = _options(form, with_picture=picture is not None)
        if picture is not None:
            await asyncio.to_thread(decode_image, picture)
        submitted = await request.app[SERVICE].submit(
            _local_user(request),
            options,
            input_bytes=picture if options.mode is not Mode.NOISE else None,
            reply_to={SHARE_ORIGINAL: True},
        )
    except BadInput as exc:
        raise web.HTTPBadRequest(text=str(exc)) from None

    _log.info("Try-it dream %d queued at place %d.", submitted.job_id, submitted.place)
    if "application/json" in request.headers.get("Accept", ""):
        body = {
            "job_id": submitted.job_id,
            "place": submitted.place,
            "events_url": _events_path(submitted.job_id),
        }
        return json_response(body, status=201)
    raise web.HTTPSeeOther(location=f"/try?job={submitted.job_id}")


async def events(request: web.Request) -> web.StreamResponse:
    """The dream's progress as server-sent events, until it is done, failed or cancelled."""
    _check_loopback(request)
    service = request.app[SERVICE]
    try:
        job = await service.get(int(request.match_info["job_id"]))
    except JobNotFound:
        raise web.HTTPNotFound(text=messages.job_not_found()) from None
    if job.requester.platform != "local":
        raise web.HTTPNotFound(text=messages.job_not_found())

    stream = web.StreamResponse(
        headers={
            "Content-Type": "text/event-stream",
            "Cache-Control": "no-store",
            "X-Accel-Buffering": "no",
        }
    )
    await stream.prepare(request)
    last_preview = None
    async for view in service.watch(job.id):
        name, data = await _event(request, view, show_preview=view.preview_sha256 != last_preview)
        last_preview = view.preview_sha256
        await stream.write(f"event: {name}\ndata: {json.dumps(data)}\n\n".encode())
    await stream.write_eof()
    return stream


async def _event(
    request: web.Request, view: JobView, *, show_preview: bool
) -> tuple[str, dict[str, Any]]:
    if view.status is JobStatus.QUEUED:
        return "queued", {"text": "Waiting in the queue for an engine…"}
    if view.status is JobStatus.RUNNING:
        data: dict[str, Any] = {
            "fraction": view.progress,
            "octave": view.octave,
            "octaves": view.octaves,
            "text": messages.running(
                view.progress, octave=max(view.octave, 1), octaves=view.octaves
            ),
            "preview_url": None,
        }
        if show_preview and view.preview_sha256:
            data["preview_url"] = media_path(view.preview_sha256)
        return "progress", data
    if view.status is JobStatus.DONE and view.result_sha256:
        return "done", await _done(request, view)
    if view.status is JobStatus.FAILED and view.failure_kind == FailureKind.BAD_INPUT:
        return "failed", {"text": view.error or messages.failed_on_our_side()}
    if view.status is JobStatus.CANCELLED:
        return "failed", {"text": messages.cancelled()}
    return "failed", {"text": messages.failed_on_our_side()}


async def _done(request: web.Request, view: JobView) -> dict[str, Any]:
    seconds = 0.0
    if view.finished_at is not None and view.started_at is not None:
        seconds = (view.finished_at - view.started_at).total_seconds()
    dream_url = None
    if view.community is not None:
        community = await request.app[SERVICE].community_settings(view.community)
        dream_url = links.dream_path(links.gallery_key(community), view.id)
    return {
        "text": messages.finished(seconds),
        "image_url": media_path(view.result_sha256 or ""),
        "alt": alt_text(view.options, author=view.requester.display_name),
        "dream_url": dream_url,
    }


def _options(form: Any, *, with_picture: bool) -> DreamOptions:
    fields = {name: str(form.get(name, "")).strip() for name in _FORM_FIELDS}
    noise = form.get("source") == "noise"
    if not noise and not with_picture:
        raise BadInput(messages.no_image())

    options = grammar.options_from_fields(
        model=fields["model"] or None,
        layer=fields["layer"] or None,
        dream_of=fields["dream_class"] or None,
        strength=fields["strength"] or None,
        octaves=_whole("octaves", fields["octaves"]),
        size=_whole("size", fields["size"]),
        mode=Mode.NOISE.value if noise else None,
    )
    steps = _whole("steps", fields["steps"])
    return options.replace(steps=steps) if steps is not None else options


def _whole(name: str, value: str) -> int | None:
    if not value:
        return None
    if not value.isdigit():
        raise BadInput(messages.bad_option(name, value, "a whole number"))
    return int(value)


def _picture(field: Any) -> bytes | None:
    if isinstance(field, web.FileField):
        data = field.file.read()
        return data or None
    return None


def _local_user(request: web.Request) -> Requester:
    return Requester.local(request.app[CONFIG].local_user)


def _events_path(job_id: int) -> str:
    return f"/try/dreams/{job_id}/events"


def _check_loopback(request: web.Request) -> None:
    if not security.is_loopback(request):
        raise web.HTTPForbidden(text=LOOPBACK_ONLY)
