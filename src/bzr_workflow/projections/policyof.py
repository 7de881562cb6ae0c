"""How a projection finds the rules a case was opened under: a function of (policy version, refinement)."""

from __future__ import annotations

from collections.abc import Callable

from ..domain.policy import Policy

PolicyOf = Callable[[int, int], Policy]
