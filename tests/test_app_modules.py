"""The app serves every API area and starts every background worker: each module that defines a
`router` or a `start` is in the hand-written lists, so none is silently left out."""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

from fastapi import APIRouter

import amityvox.api
import amityvox.services
from amityvox.api.areas import AREAS
from amityvox.services.workers import WORKERS


def _modules(package: ModuleType) -> list[ModuleType]:
    names = sorted(m.name for m in pkgutil.iter_modules(package.__path__))
    return [importlib.import_module(f"{package.__name__}.{name}") for name in names]


def test_every_api_module_with_a_router_is_an_area() -> None:
    routed = [m.__name__ for m in _modules(amityvox.api) if isinstance(getattr(m, "router", None), APIRouter)]
    assert sorted(m.__name__ for m in AREAS) == routed


def test_every_service_with_a_start_is_a_worker() -> None:
    starting = [m.__name__ for m in _modules(amityvox.services) if callable(getattr(m, "start", None))]
    assert sorted(m.__name__ for m in WORKERS) == starting
