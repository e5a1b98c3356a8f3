"""Every sentence dreambot says to a person, in one place for Discord and Slack alike.

Each function returns plain text without platform markup; an adapter may wrap
names or times in its own markup before sending. Refusals are one sentence that
states the rule and, where it helps, what was received. Times are written in UTC
together with how long is left, so they read the same on every platform.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

# -- refusals: the request -------------------------------------------------------------------------


def no_image() -> str:
    return "Attach an image or give an http(s) link to one; only the noise mode dreams without one."


def message_has_no_image() -> str:
    return "That message holds no image to dream; pick one with an attached or embedded image."


def not_an_image(content_type: str | None = None) -> str:
    if content_type:
        return f"That file is not an image (it is {content_type}); send a PNG, JPEG, GIF or WebP."
    return "That file is not an image; send a PNG, JPEG, GIF or WebP."


def web_page_not_image() -> str:
    return "That link leads to a web page, not an image; link the image file itself."


def file_too_large(limit_bytes: int, received_bytes: int | None = None) -> str:
    limit = byte_size(limit_bytes)
    if received_bytes is None:
        return f"That image is larger than the {limit} this bot accepts."
    return f"That image is {byte_size(received_bytes)}, more than the {limit} this bot accepts."


def url_scheme(scheme: str) -> str:
    return f"Only http and https links can be dreamt, not {scheme or 'a link without a scheme'}."


def url_invalid(url: str) -> str:
    return f"That is not a link this bot can read: {shorten(url, 80)!r}."


def url_private_address(host: str) -> str:
    return f"Links to private, loopback or link-local addresses are refused, and {host} is one."


def url_unreachable(host: str) -> str:
    return f"The image could not be fetched because {host} did not answer."


def url_http_status(status: int) -> str:
    return f"The image could not be fetched: the server answered with status {status}."


def url_too_slow(seconds: float) -> str:
    return f"The image could not be fetched within {seconds:g} seconds; try a faster host."


def url_too_many_redirects(limit: int) -> str:
    return f"The link redirects more than {limit} times; link the image file itself."


def no_recent_image() -> str:
    return (
        "You have posted no image in this channel yet; post one first, "
        "or give /dream an http(s) link to one."
    )


def slack_file_needs_scope() -> str:
    return (
        "Slack answered with a sign-in page instead of the image, so the app lacks file access; "
        "ask a workspace admin to add the files:read scope and reinstall it."
    )


def dream_words_help(accepted: Iterable[str]) -> str:
    return (
        "Use /dream with a link to an image, or alone to dream the last image you posted here; "
        f"words choose the dream: {', '.join(accepted)} "
        "(for example: /dream deeper of=banana seed=7 layer=blocks.4)."
    )


# -- refusals: the person, the place -------------------------------------------------------------


def quota_exhausted(limit: int, resets_at: dt.datetime, *, now: dt.datetime | None = None) -> str:
    return (
        f"You have used all {limit} of today's dreams; "
        f"the quota resets at {clock_time(resets_at)}, {time_left(resets_at, now=now)}."
    )


def channel_not_allowed() -> str:
    return "Dreaming is not allowed in this channel; ask an admin which channels allow it."


def admins_only() -> str:
    return "Only server admins can change the dream settings."


def not_yours_to_remove() -> str:
    return "Only the person who asked for this dream or an admin can remove it."


def not_yours_to_cancel() -> str:
    return "Only the person who asked for this dream or an admin can cancel it."


def job_not_found() -> str:
    return "That dream is no longer known to the bot."


def already_finished() -> str:
    return "That dream has already finished, so there is nothing to cancel."


def unknown_words(words: Iterable[str], accepted: Iterable[str]) -> str:
    listed = ", ".join(repr(word) for word in words)
    return f"Unknown dream option {listed}; the options are {', '.join(accepted)}."


def bad_option(name: str, value: str, accepted: str) -> str:
    return f"The {name} must be {accepted}, not {value!r}."


def size_above_limit(limit: int, received: int) -> str:
    return f"The size must be at most {limit} pixels here, not {received}."


# -- the life of a dream ---------------------------------------------------------------------------


def queued(position: int) -> str:
    if position <= 1:
        return "Your dream is next in the queue."
    return f"Your dream is number {position} in the queue."


def running(fraction: float, *, octave: int, octaves: int) -> str:
    return f"Dreaming… {round(fraction * 100)}% (octave {octave} of {octaves})."


def finished(seconds: float) -> str:
    return f"Dreamt in {seconds:.1f} s."


def shrunk_to_fit(limit_bytes: int) -> str:
    return f"The dream was re-encoded to fit the {byte_size(limit_bytes)} upload limit here."


def cancelled() -> str:
    return "The dream was cancelled."


def failed_bad_input(reason: str) -> str:
    return reason


def failed_on_our_side() -> str:
    return "The dream failed on the bot's side; it was not counted against your quota."


def removed_from_gallery() -> str:
    return "The dream was removed from the gallery."


def settings_saved(changes: Iterable[str]) -> str:
    listed = ", ".join(changes)
    return f"Saved: {listed}." if listed else "Nothing to change."


def quota_left(
    left: int, limit: int, resets_at: dt.datetime, *, now: dt.datetime | None = None
) -> str:
    return (
        f"You have {left} of {limit} dreams left today; "
        f"the quota resets at {clock_time(resets_at)}, {time_left(resets_at, now=now)}."
    )


def quota_unlimited() -> str:
    return "There is no daily limit on dreams here."


def gallery_empty() -> str:
    return "No dreams in this gallery yet; start one with /dream."


def gallery_summary(gallery_link: str, entries: Iterable[tuple[str, str]]) -> str:
    """The latest dreams, one ``by NAME: LINK`` line each, under the gallery's link."""
    lines = [f"The gallery: {gallery_link}"]
    lines += [f"- by {name}: {link}" for name, link in entries]
    if len(lines) == 1:
        lines.append(gallery_empty())
    return "\n".join(lines)


# -- formatting helpers, shared by the sentences above --------------------------------------------


def byte_size(count: int) -> str:
    """A byte count in the unit a person reads most easily: ``512 bytes``, ``8 MiB``."""
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if count >= scale:
            return f"{count / scale:.3g} {unit}"
    return f"{count} bytes"


def clock_time(moment: dt.datetime) -> str:
    """``14:00 UTC`` for a time-zone-aware (or UTC-naive) moment."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC)
    return moment.strftime("%H:%M UTC")


def time_left(moment: dt.datetime, *, now: dt.datetime | None = None) -> str:
    """``in 3 h 12 min``, ``in 4 min`` or ``now``."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    now = now or dt.datetime.now(dt.UTC)
    minutes = int((moment - now).total_seconds() // 60)
    if minutes <= 0:
        return "now"
    hours, minutes = divmod(minutes, 60)
    return f"in {hours} h {minutes} min" if hours else f"in {minutes} min"


def shorten(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis when it is longer."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
