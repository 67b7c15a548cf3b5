"""Whisper's real loading and decoding code, on a tiny random Whisper the test builds.

The checkpoint (a 1-layer encoder and decoder, a byte-level tokenizer with Whisper's special
tokens, the generation config's language and task ids) goes through the same ``from_pretrained``
and ``generate`` calls openai/whisper-large-v3-turbo does. Its weights are random, so what it
"hears" is noise and its confidence near 1/vocabulary: only the code path is under test.
"""

from __future__ import annotations

import importlib.util
import math

import pytest

from generation import gpu, stt, stt_models
from tests.conftest import require
from tests.generation.test_stt import Scripted
from wagglebot.lib import ffmpeg

SPECIAL = ["<|startoftranscript|>", "<|ko|>", "<|translate|>", "<|transcribe|>", "<|startoflm|>",
           "<|startofprev|>", "<|nospeech|>", "<|notimestamps|>"]


def build_tiny_whisper(folder) -> str:
    import torch
    from tokenizers import pre_tokenizers
    from transformers import (
        WhisperConfig,
        WhisperFeatureExtractor,
        WhisperForConditionalGeneration,
        WhisperProcessor,
        WhisperTokenizer,
    )

    vocab = {char: n for n, char in enumerate(sorted(pre_tokenizers.ByteLevel.alphabet()))}
    vocab["<|endoftext|>"] = len(vocab)
    tokenizer = WhisperTokenizer(vocab=vocab, merges=[], pad_token="<|endoftext|>")
    tokenizer.add_special_tokens({"additional_special_tokens": SPECIAL})
    ids = {token: tokenizer.convert_tokens_to_ids(token) for token in ["<|endoftext|>", *SPECIAL]}
    config = WhisperConfig(
        vocab_size=len(tokenizer), num_mel_bins=80, d_model=16, encoder_layers=1, decoder_layers=1,
        encoder_attention_heads=2, decoder_attention_heads=2, encoder_ffn_dim=32, decoder_ffn_dim=32,
        max_source_positions=1500, max_target_positions=40, pad_token_id=ids["<|endoftext|>"],
        bos_token_id=ids["<|endoftext|>"], eos_token_id=ids["<|endoftext|>"],
        decoder_start_token_id=ids["<|startoftranscript|>"], begin_suppress_tokens=None, suppress_tokens=None,
    )
    torch.manual_seed(0)
    model = WhisperForConditionalGeneration(config)
    generation = model.generation_config
    generation.is_multilingual = True
    generation.lang_to_id = {"<|ko|>": ids["<|ko|>"]}
    generation.task_to_id = {"transcribe": ids["<|transcribe|>"], "translate": ids["<|translate|>"]}
    generation.no_timestamps_token_id = ids["<|notimestamps|>"]
    generation._from_model_config = False  # else from_pretrained rebuilds it from config.json, without the ids
    model.save_pretrained(folder)
    WhisperProcessor(feature_extractor=WhisperFeatureExtractor(feature_size=80), tokenizer=tokenizer).save_pretrained(
        folder
    )
    return str(folder)


@pytest.fixture(scope="module")
def model_path(tmp_path_factory):
    require(importlib.util.find_spec("torch") is not None, "torch (requirements/llm-test.txt)")
    require(importlib.util.find_spec("transformers") is not None, "transformers (requirements/llm-test.txt)")
    yield build_tiny_whisper(tmp_path_factory.mktemp("tiny-whisper"))
    gpu.unload_all()


@pytest.fixture
def whisper(settings, model_path):
    settings.STT_ENGINES = ["whisper"]
    settings.STT_WHISPER_MODEL = settings.STT_WHISPER_CPU_MODEL = model_path
    settings.STT_RETRIES = 1
    return model_path


def tone(folder, seconds: int):
    path = folder / f"tone{seconds}.wav"
    ffmpeg.run(["-v", "error", "-f", "lavfi", "-i", f"sine=f=300:d={seconds}", "-ac", "2", str(path)])
    return path


def test_whisper_loads_once_and_decodes_greedily_with_a_confidence_from_token_logprobs(whisper, tmp_path):
    clip = tone(tmp_path, 3)
    first = stt.transcribe(clip)
    assert (first.engine, first.model, first.low_confidence) == ("whisper", whisper, False)
    assert first.text and first.meta["attempts"] == 1
    vocabulary = stt_models.load_whisper(whisper)[0].config.vocab_size
    # Random weights spread the probability over the whole vocabulary: the mean is near 1/265.
    assert 0 < first.confidence < 10 / vocabulary
    loaded = stt_models.load_whisper(whisper)
    assert stt_models.load_whisper(whisper) is loaded, "the model stays loaded between clips"
    again = stt.transcribe(clip)
    assert (again.text, again.confidence) == (first.text, first.confidence), "greedy decoding is repeatable"


def test_a_clip_longer_than_30_s_is_decoded_window_by_window(whisper, tmp_path, monkeypatch):
    model, _ = stt_models.load_whisper(whisper)
    windows = []
    real_generate = model.generate

    def counting_generate(inputs, **kwargs):  # the transformers seam, called for real
        windows.append(inputs.shape)
        return real_generate(inputs, **kwargs)

    monkeypatch.setattr(model, "generate", counting_generate)
    result = stt.transcribe(tone(tmp_path, 35))
    assert len(windows) == 2 and all(shape[-1] == 3000 for shape in windows), "two 30 s windows of mel frames"
    assert math.isfinite(result.confidence)


def test_unload_all_releases_whisper(whisper):
    stt_models.load_whisper(whisper)
    assert whisper in stt_models.loaded_models()
    gpu.unload_all()
    assert whisper not in stt_models.loaded_models()


def test_a_checkpoint_not_in_the_cache_falls_back_to_the_next_engine(model_path, settings, monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    settings.STT_WHISPER_MODEL = settings.STT_WHISPER_CPU_MODEL = "wagglebot-test/not-in-the-cache"
    settings.STT_RETRIES = 3
    fallback = Scripted("vosk", ["오프라인 전사"])
    result = stt.transcribe(tone(tmp_path, 1), [stt.Whisper(), fallback])
    assert result.engine == "vosk" and fallback.calls == 1
    assert "whisper: cannot load wagglebot-test/not-in-the-cache" in result.meta["fallback_reason"]
