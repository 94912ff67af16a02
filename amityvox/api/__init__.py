"""FastAPI routers, one per area: parse, authenticate, call a service, wrap the answer."""
