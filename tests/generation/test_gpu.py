"""The GPU memory manager frees loaded models only when the next stage would not fit."""

from __future__ import annotations

import pytest

from generation import gpu

GIB = 1024**3


class FakeCuda:
    """torch.cuda as the manager sees it: free memory and the cache release."""

    def __init__(self, free: int) -> None:
        self.free = free
        self.emptied = 0

    def mem_get_info(self) -> tuple[int, int]:
        return self.free, 80 * GIB

    def empty_cache(self) -> None:
        self.emptied += 1


@pytest.fixture
def released():
    names: list[str] = []
    gpu.register("model-a", lambda: names.append("model-a"))
    yield names
    gpu._releasers.clear()


def test_free_if_needed_is_a_no_op_without_cuda(monkeypatch, released):
    monkeypatch.setattr(gpu, "_cuda", lambda: None)
    assert gpu.free_if_needed(10 * GIB) is False
    assert released == []


def test_free_if_needed_keeps_models_when_memory_suffices(monkeypatch, released):
    cuda = FakeCuda(free=20 * GIB)
    monkeypatch.setattr(gpu, "_cuda", lambda: cuda)
    assert gpu.free_if_needed(10 * GIB) is False
    assert released == [] and cuda.emptied == 0


def test_free_if_needed_unloads_models_and_empties_the_cache_when_short(monkeypatch, released):
    cuda = FakeCuda(free=2 * GIB)
    monkeypatch.setattr(gpu, "_cuda", lambda: cuda)
    assert gpu.free_if_needed(10 * GIB) is True
    assert released == ["model-a"] and cuda.emptied == 1
    assert gpu.free_if_needed(10 * GIB) is True
    assert released == ["model-a"], "a released model is not released twice"


def test_unload_all_without_torch_still_drops_references(monkeypatch, released):
    monkeypatch.setattr(gpu, "_cuda", lambda: None)
    gpu.unload_all()
    assert released == ["model-a"]
