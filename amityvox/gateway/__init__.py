"""The WebSocket gateway: sessions, routing indexes and fan-out from the bus."""
