"""Routing cost of one guild event versus the number of connected sessions (in-process).

    python bench/routing.py

A guild of 100 members with sessions is routed to while the gateway holds 100 sessions
in total, then while it holds 10,000 (the other 9,900 in other guilds). Routing reads only
the indexes, so the two costs should be close: it follows recipients, not connections.
"""

from __future__ import annotations

import gc
import json
import time
from typing import Any

from amityvox import permissions as P
from amityvox.events import catalog
from amityvox.gateway.indexes import World, WorldData
from amityvox.gateway.protocol import Dispatch
from amityvox.gateway.router import recipients
from amityvox.gateway.session import Session


def _world(total: int, target: int = 100, guild_size: int = 100) -> tuple[World, dict[str, set[Session]], str]:
    guilds, channels, members = [], [], []
    for g in range(total // guild_size):
        gid = f"G{g:025d}"
        guilds.append({"id": gid, "owner_id": f"U{g * guild_size:025d}", "default_permissions": P.DEFAULT_EVERYONE})
        channels.append({"id": f"C{g:025d}", "guild_id": gid, "permission_overwrites": []})
        for u in range(g * guild_size, (g + 1) * guild_size):
            members.append((gid, f"U{u:025d}", (), None))
    sessions: dict[str, set[Session]] = {}
    world = World(is_online=lambda u: u in sessions)
    world.load(WorldData(guilds=guilds, roles=[], channels=channels, members=members, friendships=[]))
    for _, user, _, _ in members:
        s = Session(user, user, 500)
        s.holding = None
        sessions[user] = {s}
        world.user_online(user)
    return world, sessions, channels[0]["id"]


def _route_cost(total: int, rounds: int = 2000) -> dict[str, Any]:
    world, sessions, channel = _world(total)
    event = catalog.get("MESSAGE_CREATE")
    d = {"channel_id": channel, "content": "hello", "id": "M"}
    for _ in range(50):  # warm the permission cache
        recipients(world, event, d, sessions)
    delivered = 0
    elapsed = 0.0
    for _ in range(rounds):
        start = time.perf_counter()
        dispatch = Dispatch(event.name, d)
        targets = recipients(world, event, d, sessions)
        for user in targets:
            for s in sessions[user]:
                s.send(dispatch)
                delivered += 1
        elapsed += time.perf_counter() - start
        for user in targets:  # replay buffers are bounded anyway; clearing keeps rounds identical
            for s in sessions[user]:
                s.replay.clear()
    return {"connected": total, "recipients": delivered // rounds, "us_per_event": round(elapsed / rounds * 1e6, 1)}


def main() -> None:
    gc.collect()
    small = _route_cost(100)
    gc.collect()
    large = _route_cost(10_000)
    ratio = large["us_per_event"] / small["us_per_event"]
    print(json.dumps({"small": small, "large": large, "ratio": round(ratio, 2), "within_2x": ratio <= 2}, indent=2))


if __name__ == "__main__":
    main()
