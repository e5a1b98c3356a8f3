"""Every bad request gets one private sentence, and no dream is queued for it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import messages
from bot.settings import QuotaLimits
from tests.slack.harness import png, running_slack


async def test_dream_alone_without_a_posted_image_says_to_post_one(tmp_path: Path) -> None:
    async with running_slack(tmp_path) as running:
        reply = await running.ephemeral_reply(await running.command(""))

    assert reply == messages.no_recent_image()


async def test_dream_help_lists_the_words(tmp_path: Path) -> None:
    async with running_slack(tmp_path) as running:
        reply = await running.ephemeral_reply(await running.command("help"))

    assert "of=" in reply
    assert "deeper" in reply
    assert "share (" in reply


async def test_unknown_words_are_named(tmp_path: Path) -> None:
    async with running_slack(tmp_path) as running:
        reply = await running.ephemeral_reply(await running.command("banana-please"))

    assert "'banana-please'" in reply


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        ("http://10.0.0.7/cat.png", messages.url_private_address("10.0.0.7")),
        ("http://127.0.0.1:9/cat.png", messages.url_private_address("127.0.0.1")),
    ],
    ids=["private", "loopback"],
)
async def test_links_to_private_addresses_are_refused(
    tmp_path: Path, link: str, expected: str
) -> None:
    async with running_slack(tmp_path) as running:
        reply = await running.ephemeral_reply(await running.command(link))

    assert reply == expected
    assert running.slack.calls_of("chat.postMessage") == []


async def test_a_link_to_something_else_than_an_image_is_refused(tmp_path: Path) -> None:
    async with running_slack(tmp_path) as running:
        link = running.slack.add_public_file("notes.txt", b"plain words", media_type="text/plain")
        reply = await running.ephemeral_reply(await running.command(link))

    assert reply == messages.not_an_image("text/plain")


async def test_a_too_large_image_is_refused(tmp_path: Path) -> None:
    async with running_slack(tmp_path) as running:
        huge = png(side=64) + b"\0" * (128 * 1024)
        link = running.slack.add_public_file("huge.png", huge)
        reply = await running.ephemeral_reply(await running.command(link))

    assert reply.startswith("That image is")


async def test_an_endless_download_is_cut_off(tmp_path: Path) -> None:
    async with running_slack(tmp_path) as running:
        link = running.slack.add_endless_file("forever.png")
        reply = await running.ephemeral_reply(await running.command(link))

    assert reply in (messages.url_too_slow(2.0), messages.file_too_large(64 * 1024))


async def test_a_slack_file_without_files_read_scope_names_the_scope(tmp_path: Path) -> None:
    async with running_slack(tmp_path) as running:
        file = running.slack.add_private_file(png(), needs_scope=True)
        message = {
            "type": "message",
            "subtype": "file_share",
            "user": "U1",
            "channel": "C1",
            "ts": "1700000000.000100",
            "files": [file],
        }
        assert await running.event(message, event_id="EvScope") == 200
        reply = await running.ephemeral_reply(await running.command(""))

    assert reply == messages.slack_file_needs_scope()
    downloads = running.slack.file_downloads
    assert downloads == [(file["id"], running.slack.workspaces[0].bot_token)]


async def test_the_shortcut_on_a_message_without_an_image_says_so(tmp_path: Path) -> None:
    async with running_slack(tmp_path) as running:
        response_url = running.slack.response_url()
        payload = {
            "type": "message_action",
            "callback_id": "dream_this_image",
            "trigger_id": "trigger",
            "response_url": response_url,
            "team": {"id": "T1", "domain": "dream-team"},
            "channel": {"id": "C1", "name": "general"},
            "user": {"id": "U1", "name": "u1"},
            "message": {"type": "message", "user": "U2", "ts": "1700000000.000200", "text": "hi"},
        }
        assert await running.interaction(payload) == 200
        reply = await running.ephemeral_reply(response_url)

    assert reply == messages.message_has_no_image()


async def test_quota_exhausted_is_refused_with_the_limit(tmp_path: Path) -> None:
    async with running_slack(tmp_path, quotas=QuotaLimits(user_daily=1)) as running:
        link = running.slack.add_public_file("cat.png", png())
        await running.command(link)
        await running.slack.wait_for(lambda: running.slack.calls_of("chat.postMessage"))
        reply = await running.ephemeral_reply(await running.command(link))

    assert "limit of 1" in reply
    assert len(running.slack.calls_of("chat.postMessage")) == 1
