"""Prometheus metrics for the gateway (exposed at /metrics)."""

from prometheus_client import Counter, Gauge, Histogram

SESSIONS = Gauge("amityvox_gateway_sessions", "Gateway sessions, connected or resumable")
IDENTIFIES = Counter("amityvox_gateway_identifies_total", "Successful IDENTIFYs")
RESUMES = Counter("amityvox_gateway_resumes_total", "Successful RESUMEs")
DISPATCHES = Counter("amityvox_gateway_dispatches_total", "Events routed", ["event"])
DELIVERIES = Counter("amityvox_gateway_deliveries_total", "Frames queued to sessions", ["event"])
CLOSES = Counter("amityvox_gateway_closes_total", "Connections closed by the server", ["code"])
ROUTING_SECONDS = Histogram(
    "amityvox_gateway_routing_seconds",
    "Time to route one event",
    buckets=(0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.1),
)
