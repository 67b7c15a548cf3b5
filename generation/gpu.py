"""GPU memory manager for the one-worker ``gpu`` cluster.

The LLM stays loaded between posts (loading a 4-bit 8–11B model takes tens of seconds), but the
render stage may need the memory. A stage that is about to allocate calls ``free_if_needed`` with
its need; when CUDA reports less free memory than that, every registered model is released.
Without torch or without CUDA every function here is a no-op, so the CPU path never imports torch.
"""

from __future__ import annotations

import gc
import logging
import sys
from collections.abc import Callable

log = logging.getLogger(__name__)

# name → callable that drops every reference the owner holds to its model.
_releasers: dict[str, Callable[[], None]] = {}


def register(name: str, release: Callable[[], None]) -> None:
    """Let ``unload_all`` free a loaded model; ``release`` must drop the owner's references."""
    _releasers[name] = release


def _cuda():
    """torch.cuda when torch is already imported by a loader and a GPU is present, else None."""
    torch = sys.modules.get("torch")
    if torch is None or not torch.cuda.is_available():
        return None
    return torch.cuda


def free_if_needed(required_bytes: int) -> bool:
    """Unload every registered model when free GPU memory is below ``required_bytes``.

    Returns True when models were unloaded.
    """
    cuda = _cuda()
    if cuda is None:
        return False
    free, _total = cuda.mem_get_info()
    if free >= required_bytes:
        return False
    log.info("GPU has %d MiB free, %d MiB needed: unloading models", free >> 20, required_bytes >> 20)
    unload_all()
    return True


def unload_all() -> None:
    """Release every registered model, then return the cached blocks to the driver."""
    for name in list(_releasers):
        _releasers.pop(name)()
        log.info("unloaded %s", name)
    gc.collect()
    cuda = _cuda()
    if cuda is not None:
        cuda.empty_cache()
