# Overseer signals (seed 000/003/004 "On Overseer Signal"): the core's `ActiveLeavesUpdate` and
# `Conclude` records, which the overseer delivers to every running subsystem ahead of its queued
# messages. They are defined once, in the core (`backable.core`); this module only names the
# union the overseer carries.
from __future__ import annotations

from backable.core import ActiveLeavesUpdate, Conclude

__all__ = ["Signal"]

Signal = ActiveLeavesUpdate | Conclude
