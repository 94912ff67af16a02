"""A worker looping on `wait_set` ends when cancelled, even as its event is set."""

from __future__ import annotations

import asyncio

from amityvox.waiting import wait_set


async def test_a_cancellation_arriving_as_the_event_is_set_ends_the_loop() -> None:
    event = asyncio.Event()
    rounds = 0

    async def worker() -> None:
        nonlocal rounds
        while True:
            await wait_set(event, 60)
            event.clear()
            rounds += 1

    task = asyncio.create_task(worker())
    await asyncio.create_task(_nothing())  # a fence: the worker, made first, now waits
    event.set()
    task.cancel()  # in the same turn: with wait_for, Python 3.11 lost this cancellation
    done, _ = await asyncio.wait([task], timeout=10)  # a bound on a hang, not a measurement
    assert task in done and task.cancelled()
    assert rounds == 0


async def test_it_says_whether_the_event_was_set() -> None:
    event = asyncio.Event()
    assert await wait_set(event, 0) is False
    event.set()
    assert await wait_set(event, 60) is True


async def _nothing() -> None:
    pass
