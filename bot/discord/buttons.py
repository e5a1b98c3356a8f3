"""The buttons under a dream, which keep working after the bot restarts.

Each button's ``custom_id`` is ``dreambot:<action>:<job id>``, so the job travels with the
button and nothing needs to be remembered in memory. :class:`DreamButton` is registered with
the client at start-up (:meth:`discord.Client.add_dynamic_items`), and discord.py routes every
press whose ``custom_id`` matches the template to it, whenever the message was sent.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Awaitable, Callable
from typing import Any

import discord

TEMPLATE = r"dreambot:(?P<action>[a-z]+):(?P<job_id>[0-9]+)"


class Action(enum.StrEnum):
    AGAIN = "again"
    DEEPER = "deeper"
    GENTLER = "gentler"
    ZOOM = "zoom"
    REMOVE = "remove"
    CANCEL = "cancel"


_LABELS = {
    Action.AGAIN: ("Dream again", discord.ButtonStyle.primary),
    Action.DEEPER: ("Deeper", discord.ButtonStyle.secondary),
    Action.GENTLER: ("Gentler", discord.ButtonStyle.secondary),
    Action.ZOOM: ("Zoom", discord.ButtonStyle.secondary),
    Action.REMOVE: ("Remove from gallery", discord.ButtonStyle.danger),
    Action.CANCEL: ("Cancel", discord.ButtonStyle.danger),
}

ButtonHandler = Callable[[discord.Interaction[Any], Action, int], Awaitable[None]]


def custom_id(action: Action, job_id: int) -> str:
    return f"dreambot:{action.value}:{job_id}"


class DreamButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=TEMPLATE):
    """One button of one dream; a press goes to the client's ``button_handler``."""

    def __init__(self, action: Action, job_id: int) -> None:
        label, style = _LABELS[action]
        button: discord.ui.Button[Any] = discord.ui.Button(
            label=label, style=style, custom_id=custom_id(action, job_id)
        )
        super().__init__(button)
        self.action = action
        self.job_id = job_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> DreamButton:
        return cls(Action(match["action"]), int(match["job_id"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        handler: ButtonHandler | None = getattr(interaction.client, "button_handler", None)
        if handler is not None:
            await handler(interaction, self.action, self.job_id)


def result_view(job_id: int) -> discord.ui.View:
    """The buttons under a finished dream."""
    actions = (Action.AGAIN, Action.DEEPER, Action.GENTLER, Action.ZOOM, Action.REMOVE)
    return _view(job_id, actions)


def waiting_view(job_id: int) -> discord.ui.View:
    """The button under a dream that is queued or running."""
    return _view(job_id, (Action.CANCEL,))


def _view(job_id: int, actions: tuple[Action, ...]) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for action in actions:
        view.add_item(DreamButton(action, job_id))
    return view
