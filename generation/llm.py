"""The LLM behind the script writer: load a (GPTQ 4-bit) causal LM once per worker, chat with it.

torch and transformers are imported inside ``load`` only, so the web process and the default
cluster never pay for them and a CPU-only install without them still writes extractive scripts.
A checkpoint whose config carries a GPTQ ``quantization_config`` is loaded by transformers through
optimum + gptqmodel and needs CUDA; a plain checkpoint (the tests' tiny Llama) loads on CPU.
``complete`` is the one call into the model, and the seam tests patch.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

from generation import gpu

log = logging.getLogger(__name__)

_models: dict[str, tuple] = {}
# A checkpoint that failed to load is not retried for every post: settings change needs a restart.
_failures: dict[str, str] = {}
_lock = threading.Lock()


class LLMUnavailable(Exception):
    """The model cannot be loaded here: packages, checkpoint or GPU missing (or, transiently, full)."""

    def __init__(self, message: str, *, transient: bool = False) -> None:
        super().__init__(message)
        self.transient = transient


def hub_offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def load(name_or_path: str, *, vram_bytes: int = 0) -> tuple:
    """(model, tokenizer) for ``name_or_path``, loaded on first use and kept for the next post."""
    with _lock:
        if name_or_path in _failures:
            raise LLMUnavailable(_failures[name_or_path])
        if name_or_path not in _models:
            try:
                _models[name_or_path] = _load(name_or_path, vram_bytes)
            except LLMUnavailable as exc:
                if not exc.transient:
                    _failures[name_or_path] = str(exc)
                raise
            gpu.register(f"llm:{name_or_path}", lambda: _models.pop(name_or_path, None))
        return _models[name_or_path]


def _load(name_or_path: str, vram_bytes: int) -> tuple:
    try:
        import torch
        from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer
    except ImportError as exc:
        raise LLMUnavailable(f"LLM packages are not installed ({exc.name}); see requirements/gpu.txt") from exc
    # With HF_HUB_OFFLINE a hub name resolves only from the local cache; nothing is downloaded.
    offline = hub_offline() or Path(name_or_path).is_dir()
    try:
        config = AutoConfig.from_pretrained(name_or_path, local_files_only=offline)
        cuda = torch.cuda.is_available()
        if getattr(config, "quantization_config", None) and not cuda:
            raise LLMUnavailable(f"{name_or_path} is a quantized checkpoint and needs CUDA")
        if cuda:
            gpu.free_if_needed(vram_bytes)
        tokenizer = AutoTokenizer.from_pretrained(name_or_path, local_files_only=offline)
        model = AutoModelForCausalLM.from_pretrained(
            name_or_path, local_files_only=offline, dtype="auto", device_map="auto" if cuda else None
        )
    except (OSError, ValueError, ImportError) as exc:
        raise LLMUnavailable(f"cannot load {name_or_path}: {exc}") from exc
    except RuntimeError as exc:  # CUDA out of memory and the like: the next post may fit
        raise LLMUnavailable(f"cannot load {name_or_path}: {exc}", transient=True) from exc
    model.eval()
    log.info("loaded LLM %s on %s", name_or_path, "cuda" if cuda else "cpu")
    return model, tokenizer


def complete(messages: list[dict], *, model: str, max_new_tokens: int = 512, vram_bytes: int = 0) -> str:
    """The model's reply to a chat, greedy-decoded so the same post gives the same script."""
    # load() first: it turns a missing torch into LLMUnavailable, so auto mode falls back.
    llm, tokenizer = load(model, vram_bytes=vram_bytes)
    import torch

    inputs = tokenizer.apply_chat_template(
        messages, add_generation_prompt=True, return_tensors="pt", return_dict=True
    ).to(llm.device)
    try:
        with torch.inference_mode():
            output = llm.generate(
                **inputs,
                max_new_tokens=max_new_tokens,
                do_sample=False,
                pad_token_id=tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id,
            )
    except RuntimeError as exc:  # CUDA out of memory (the renderer shares the GPU): the next post may fit
        raise LLMUnavailable(f"generating with {model} failed: {exc}", transient=True) from exc
    new_tokens = output[0][inputs["input_ids"].shape[1]:]
    return tokenizer.decode(new_tokens, skip_special_tokens=True)


def loaded_models() -> list[str]:
    return list(_models)
