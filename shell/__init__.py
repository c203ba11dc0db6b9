# backable's imperative shell: everything that does I/O, holds secrets or draws randomness
# around the pure core (keystore, command line, and later the overseer and subsystem drivers).
from __future__ import annotations

from .keystore import Keystore, KeystoreError

__all__ = [
    "Keystore",
    "KeystoreError",
]
