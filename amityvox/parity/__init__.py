"""The original system's parity audit, run by the project on itself."""

from amityvox.parity.report import Row, build_rows, render

__all__ = ["Row", "build_rows", "render"]
