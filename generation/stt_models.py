"""The STT engines' models, loaded once per worker: Whisper through transformers, and Vosk's.

As in ``llm.py``, torch and transformers are imported on first use only, so the web process and
a base install without them never pay for them; a loaded Whisper is registered with ``gpu`` so the
render can free its memory. Weights come from the model hub into the cache HF_HOME names (the
model-cache volume the LLM uses); with HF_HUB_OFFLINE only local files are read.
``whisper_transcribe`` and ``vosk_recognizer`` are the calls into the models.
"""

from __future__ import annotations

import logging
import math
import threading
from pathlib import Path

from django.conf import settings

from generation import gpu
from generation.llm import hub_offline

log = logging.getLogger(__name__)

SAMPLE_RATE = 16_000
WINDOW_SECONDS = 30  # Whisper hears 30 s at a time; a longer clip is decoded window by window
_whisper: dict[str, tuple] = {}
_failures: dict[str, str] = {}  # a checkpoint that failed to load is not retried per clip
_vosk: dict[str, object] = {}
_lock = threading.Lock()


class ModelUnavailable(Exception):
    """The model cannot run here: packages, checkpoint or GPU missing (or, transiently, full)."""

    def __init__(self, message: str, *, transient: bool = False) -> None:
        super().__init__(message)
        self.transient = transient


def cuda_available() -> bool:
    try:
        import torch
    except ImportError:
        return False
    return torch.cuda.is_available()


def whisper_default() -> str:
    return settings.STT_WHISPER_MODEL if cuda_available() else settings.STT_WHISPER_CPU_MODEL


def load_whisper(name: str) -> tuple:
    """(model, processor) for ``name``, loaded on first use and kept for the next clip."""
    with _lock:
        if name in _failures:
            raise ModelUnavailable(_failures[name])
        if name not in _whisper:
            try:
                _whisper[name] = _load_whisper(name)
            except ModelUnavailable as exc:
                if not exc.transient:
                    _failures[name] = str(exc)
                raise
            gpu.register(f"stt:{name}", lambda: _whisper.pop(name, None))
        return _whisper[name]


def _load_whisper(name: str) -> tuple:
    try:
        import torch
        from transformers import WhisperForConditionalGeneration, WhisperProcessor
    except ImportError as exc:
        raise ModelUnavailable(f"Whisper needs torch and transformers ({exc.name}); see requirements/gpu.txt") from exc
    offline = hub_offline() or Path(name).is_dir()
    cuda = torch.cuda.is_available()
    try:
        if cuda:
            gpu.free_if_needed(settings.STT_WHISPER_VRAM_BYTES)
        processor = WhisperProcessor.from_pretrained(name, local_files_only=offline)
        model = WhisperForConditionalGeneration.from_pretrained(
            name, local_files_only=offline, dtype=torch.float16 if cuda else torch.float32
        ).to("cuda" if cuda else "cpu")
    except (OSError, ValueError, ImportError) as exc:
        raise ModelUnavailable(f"cannot load {name}: {exc}") from exc
    except RuntimeError as exc:  # CUDA out of memory: the next clip may fit
        raise ModelUnavailable(f"cannot load {name}: {exc}", transient=True) from exc
    model.eval()
    log.info("loaded Whisper %s on %s", name, "cuda" if cuda else "cpu")
    return model, processor


def whisper_transcribe(name: str, samples: list[float], *, max_time: float) -> tuple[str, float | None]:
    """Greedy Korean transcript of 16 kHz ``samples`` and exp(mean token log-probability)."""
    model, processor = load_whisper(name)
    import torch

    window = WINDOW_SECONDS * SAMPLE_RATE
    # Room for the 4 prompt tokens (start, language, task, no timestamps) in the decoder's positions.
    max_new_tokens = model.config.max_target_positions - 8
    texts, logprobs = [], []
    for start in range(0, max(len(samples), 1), window):
        features = processor(samples[start:start + window], sampling_rate=SAMPLE_RATE, return_tensors="pt")
        inputs = features.input_features.to(model.device, model.dtype)
        try:
            with torch.inference_mode():
                out = model.generate(
                    inputs, language="ko", task="transcribe", max_new_tokens=max_new_tokens,
                    return_dict_in_generate=True, output_scores=True, max_time=max_time,
                )
        except RuntimeError as exc:  # CUDA out of memory (the renderer shares the GPU)
            raise ModelUnavailable(f"Whisper {name} failed: {exc}", transient=True) from exc
        scores = model.compute_transition_scores(out.sequences, out.scores, normalize_logits=True)
        logprobs += [value for value in scores[0].float().tolist() if math.isfinite(value)]
        texts.append(processor.batch_decode(out.sequences, skip_special_tokens=True)[0].strip())
    confidence = math.exp(sum(logprobs) / len(logprobs)) if logprobs else None
    return " ".join(text for text in texts if text), confidence


def vosk_recognizer(model_dir: Path, sample_rate: int):
    """A fresh Kaldi recognizer with word confidences, on the model loaded once per process."""
    try:
        import vosk
    except ImportError as exc:
        raise ModelUnavailable("vosk is not installed (requirements/base.txt)") from exc
    with _lock:
        if str(model_dir) not in _vosk:
            vosk.SetLogLevel(-1)  # Kaldi logs every model file it reads to stderr
            try:
                _vosk[str(model_dir)] = vosk.Model(str(model_dir))
            except Exception as exc:  # vosk raises a bare Exception("Failed to create a model")
                raise ModelUnavailable(f"vosk cannot load {model_dir}: {exc}") from exc
    recognizer = vosk.KaldiRecognizer(_vosk[str(model_dir)], sample_rate)
    recognizer.SetWords(True)
    return recognizer


def loaded_models() -> list[str]:
    return list(_whisper)
