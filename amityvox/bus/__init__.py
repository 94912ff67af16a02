"""Event buses: `MemoryBus` for one process, `NatsBus` across processes."""

from amityvox.bus.base import Bus, Envelope, Handler, subject_matches
from amityvox.bus.memory import MemoryBus

__all__ = ["Bus", "Envelope", "Handler", "MemoryBus", "subject_matches"]
