"""Conformance for media: the thumbnail worker's MESSAGE_UPDATE reaches exactly the channel's
viewers, and every client's cache converges to REST (signed URLs, thumbnails and all)."""

from __future__ import annotations

import pytest

from tests.conformance.cast import Cast
from tests.conformance.harness import Scenario, exercise, verdict
from tests.media.helpers import png


async def _image_message(c: Cast) -> None:
    """A message with an image: MESSAGE_CREATE at once, MESSAGE_UPDATE when its thumbnails exist."""
    att = await c.rest["actor"].upload(c.secret, png(600, 300), "wide.png")
    await c.rest["actor"].send_message(c.secret, "", attachments=[att["id"]])


SCENARIOS = [
    Scenario("MESSAGE_UPDATE", _image_message, lambda c: c.secret_viewers, "thumbnails"),
    Scenario("MESSAGE_CREATE", _image_message, lambda c: c.secret_viewers, "attachments"),
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
async def test_media_events_reach_exactly_their_audience_and_converge(cast: Cast, scenario: Scenario) -> None:
    result = await exercise(cast, scenario)
    assert not verdict(result), verdict(result)
    assert result["received"], result
