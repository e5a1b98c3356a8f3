"""Socket Mode, and many workspaces installed through OAuth, with the whole adapter running."""

from __future__ import annotations

import re
from pathlib import Path

import aiohttp

from bot import messages
from tests.fakes.slack_server import Workspace
from tests.slack.harness import png, running_slack


async def test_socket_mode_dreams_a_link_and_refuses_in_private(tmp_path: Path) -> None:
    async with running_slack(tmp_path, socket_mode=True) as running:
        slack = running.slack
        await slack.wait_for_socket()
        link = slack.add_public_file("cat.png", png())
        fields = {
            "command": "/dream",
            "team_id": "T1",
            "team_domain": "dream-team",
            "channel_id": "C1",
            "user_id": "U1",
            "user_name": "u1",
        }

        dreamt = await slack.send_envelope(
            "slash_commands", {**fields, "text": link, "response_url": slack.response_url()}
        )
        await slack.acknowledgement(dreamt)
        status = (await slack.wait_for(lambda: slack.messages))[0]

        response_url = slack.response_url()
        refused = await slack.send_envelope(
            "slash_commands", {**fields, "text": "", "user_id": "U5", "response_url": response_url}
        )
        await slack.acknowledgement(refused)
        reply = await running.ephemeral_reply(response_url)
        job = await running.service.get(1)

    assert status.text == messages.queued(1)
    assert job.requester.user_id == "U1"
    assert reply == messages.no_recent_image()


async def test_two_workspaces_installed_by_oauth_each_use_their_own_token(tmp_path: Path) -> None:
    spaces = [
        Workspace(team_id="T1", bot_token="xoxb-first"),
        Workspace(team_id="T2", bot_token="xoxb-second", team_name="Second Team"),
    ]
    async with running_slack(tmp_path, oauth=True, workspaces=spaces) as running:
        slack = running.slack
        base = running.events_url.removesuffix("/slack/events")
        for space in spaces:
            await _install(base, code=slack.issue_oauth_code(space))

        for team, channel in (("T1", "C1"), ("T2", "C2")):
            link = slack.add_public_file(f"{team}.png", png())
            await running.command(link, team=team, channel=channel)
        await slack.wait_for(lambda: len(slack.messages) == 2)

    tokens = {call.params["channel"]: call.token for call in slack.calls_of("chat.postMessage")}
    assert tokens == {"C1": "xoxb-first", "C2": "xoxb-second"}


async def _install(base: str, *, code: str) -> None:
    """Walk the install pages as a browser would: the state cookie, then the redirect.

    The state cookie is marked secure, which a browser sends over https only; the test server
    speaks plain http, so the cookie is carried by hand.
    """
    async with aiohttp.ClientSession() as browser:
        async with browser.get(f"{base}/slack/install") as page:
            html = await page.text()
            cookie = page.headers["Set-Cookie"].split(";", 1)[0]
        state = re.search(r"state=([0-9a-f-]+)", html)
        if state is None:
            raise AssertionError("the install page links to no OAuth state")
        redirect = f"{base}/slack/oauth_redirect?code={code}&state={state.group(1)}"
        async with browser.get(redirect, headers={"Cookie": cookie}) as finished:
            if finished.status != 200:
                raise AssertionError(f"the OAuth redirect answered {finished.status}")
