"""The Block Kit of a dream's status message: its sentence, and the buttons under it.

While a dream waits or runs, the status message carries a Cancel button; once it is done it
carries Dream again, Deeper, Gentler, Zoom and Remove. Every button's ``value`` is the job id,
so a press finds its dream after any restart of the adapter.
"""

from __future__ import annotations

import enum
import re
from typing import Any

Block = dict[str, Any]


class Action(enum.StrEnum):
    """The buttons, by ``action_id``."""

    AGAIN = "dream.again"
    DEEPER = "dream.deeper"
    GENTLER = "dream.gentler"
    ZOOM = "dream.zoom"
    REMOVE = "dream.remove"
    CANCEL = "dream.cancel"


ACTION_PATTERN = re.compile(r"^dream\.(again|deeper|gentler|zoom|remove|cancel)$")

_RESULT_BUTTONS = (
    (Action.AGAIN, "Dream again", None),
    (Action.DEEPER, "Deeper", None),
    (Action.GENTLER, "Gentler", None),
    (Action.ZOOM, "Zoom", None),
    (Action.REMOVE, "Remove", "danger"),
)


def status_blocks(text: str, *, job_id: int, cancellable: bool) -> list[Block]:
    """A status sentence, with a Cancel button while the dream can still be stopped."""
    blocks: list[Block] = [_section(text)]
    if cancellable:
        blocks.append(_actions(job_id, [(Action.CANCEL, "Cancel", "danger")]))
    return blocks


def result_blocks(text: str, *, job_id: int) -> list[Block]:
    """The finished dream's sentence with the buttons that make more of it."""
    return [_section(text), _actions(job_id, _RESULT_BUTTONS)]


def final_blocks(text: str) -> list[Block]:
    """A sentence with no buttons: a failed, cancelled or removed dream."""
    return [_section(text)]


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _actions(job_id: int, buttons: Any) -> Block:
    elements = []
    for action, label, style in buttons:
        button: Block = {
            "type": "button",
            "action_id": str(action),
            "text": {"type": "plain_text", "text": label},
            "value": str(job_id),
        }
        if style is not None:
            button["style"] = style
        elements.append(button)
    return {"type": "actions", "block_id": f"dream-{job_id}", "elements": elements}
