"""Wake-ups reach listeners when the writing transaction commits, and never when it rolls back."""

from __future__ import annotations

import pytest

from bot.store import wakeup
from bot.store.queue import JobQueue


def test_a_committed_wake_up_is_heard(queue: JobQueue) -> None:
    listener = queue.notifier.listen()
    try:
        with queue.database.writing() as session:
            queue.notifier.publish(session, wakeup.JOB, "42")
            assert listener.wait(0.2) == []  # not before the commit

        heard = listener.wait(5.0)
    finally:
        listener.close()

    assert wakeup.WakeUp(wakeup.JOB, "42") in heard


def test_a_rolled_back_wake_up_is_not_heard(queue: JobQueue) -> None:
    listener = queue.notifier.listen()
    try:
        with pytest.raises(RuntimeError):
            _publish_then_fail(queue)

        heard = listener.wait(0.5)
    finally:
        listener.close()

    assert heard == []


def test_an_interrupt_ends_a_wait_at_once(queue: JobQueue) -> None:
    listener = queue.notifier.listen()
    try:
        listener.interrupt()
        heard = listener.wait(30.0)
    finally:
        listener.close()

    assert heard == [wakeup.INTERRUPTED]


def _publish_then_fail(queue: JobQueue) -> None:
    with queue.database.writing() as session:
        queue.notifier.publish(session, wakeup.QUEUE)
        raise RuntimeError("The transaction is abandoned.")
