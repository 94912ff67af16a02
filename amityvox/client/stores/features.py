"""Channel features: polls, location shares, message effects, whiteboards, snippets, kanban, widgets."""

from __future__ import annotations

from collections import deque

from amityvox.client.stores.base import FEED_SIZE, JSON, StoreBase


class FeatureStore(StoreBase):
    """Partial payloads (POLL_VOTE, POLL_CLOSE, KANBAN_CARD_MOVE) update a known object and are
    ignored for an unknown one, so the cache never holds an object it only knows part of."""

    # ---- polls -------------------------------------------------------------------------------

    def on_poll_create(self, d: JSON) -> None:
        self.polls[d["id"]] = dict(d)

    def on_poll_vote(self, d: JSON) -> None:
        poll = self.polls.get(d["poll_id"])
        if poll is None:
            return
        counts = {o["id"]: o["vote_count"] for o in d["options"]}
        poll["options"] = [{**o, "vote_count": counts.get(o["id"], o["vote_count"])} for o in poll["options"]]
        poll["total_votes"] = d["total_votes"]
        if d.get("user_id") is not None and d["user_id"] == self.user_id:
            self.poll_votes[d["poll_id"]] = list(d["option_ids"])

    def on_poll_close(self, d: JSON) -> None:
        poll = self.polls.get(d["poll_id"])
        if poll is not None:
            poll["closed"] = True

    # ---- location shares and message effects -------------------------------------------------

    def on_location_share_create(self, d: JSON) -> None:
        self.locations.setdefault(d["channel_id"], {})[d["id"]] = dict(d)

    def on_location_share_update(self, d: JSON) -> None:
        self.on_location_share_create(d)

    def on_location_share_stop(self, d: JSON) -> None:
        self.locations.get(d["channel_id"], {}).pop(d["id"], None)

    def on_message_effect_create(self, d: JSON) -> None:
        self.effects.setdefault(d["message_id"], deque(maxlen=FEED_SIZE)).append(dict(d))

    def on_super_reaction_add(self, d: JSON) -> None:
        self.super_reactions.setdefault(d["message_id"], deque(maxlen=FEED_SIZE)).append(dict(d))

    # ---- whiteboards, snippets, kanban, widgets ----------------------------------------------

    def on_whiteboard_update(self, d: JSON) -> None:
        known = self.whiteboards.get(d["whiteboard_id"])
        if known is None or d["version"] > known["version"]:  # an older version arriving late is stale
            self.whiteboards[d["whiteboard_id"]] = dict(d)

    def on_code_snippet_create(self, d: JSON) -> None:
        self.snippets[d["id"]] = dict(d)

    def on_kanban_card_create(self, d: JSON) -> None:
        self.kanban_cards[d["id"]] = dict(d)

    def on_kanban_card_move(self, d: JSON) -> None:
        """The server's rule: take the card out of its column, insert it into `column_id` at
        `position` (past the end: last), and number both columns 0..n-1 again."""
        card = self.kanban_cards.get(d["card_id"])
        if card is None:
            return
        source = card["column_id"]
        target = [c for c in self._kanban_column(d["column_id"]) if c is not card]
        target.insert(min(d["position"], len(target)), card)
        if source != d["column_id"]:
            self._renumber_kanban(source, [c for c in self._kanban_column(source) if c is not card])
        self._renumber_kanban(d["column_id"], target)

    def _kanban_column(self, column_id: str) -> list[JSON]:
        """The cached cards of a column in order, as the server orders them (position, then id)."""
        cards = (c for c in self.kanban_cards.values() if c["column_id"] == column_id)
        return sorted(cards, key=lambda c: (c["position"], c["id"]))

    @staticmethod
    def _renumber_kanban(column_id: str, cards: list[JSON]) -> None:
        for position, card in enumerate(cards):
            card.update(column_id=column_id, position=position)

    def on_channel_widget_create(self, d: JSON) -> None:
        self.widgets.setdefault(d["channel_id"], {})[d["id"]] = dict(d)

    def on_channel_widget_update(self, d: JSON) -> None:
        self.on_channel_widget_create(d)

    def on_channel_widget_delete(self, d: JSON) -> None:
        self.widgets.get(d["channel_id"], {}).pop(d["widget_id"], None)
