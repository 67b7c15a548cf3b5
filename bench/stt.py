"""Speech-to-text error rate and speed on Korean clips made here with espeak-ng.

    .venv/bin/python bench/stt.py [--engine vosk] [--rate 170] [--chain]

Each sentence below (written for this bench, narration-like) is spoken by the project's espeak-ng
engine (generation/tts.py, voice ``ko``) into a 48 kHz WAV, then goes through ``stt.transcribe``:
the recognition audio chain, then the engine. CER is the character edit distance over the
reference length, spaces ignored; RTF is recognition seconds over audio seconds (the first clip
includes loading the model). espeak-ng is robotic, so this measures the engine on synthetic
speech only, not on real voices. ``--engine whisper`` runs STT_WHISPER_CPU_MODEL /
STT_WHISPER_MODEL from the model cache; a random tiny Whisper (as in the tests) would print a
meaningless CER near 1. ``--chain`` also runs each clip without the denoiser.
Last line (per chain): ``stt engine=<name> chain=<label> cer=<mean> rtf=<total>``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SENTENCES = [
    "결혼 삼 주 전인데 시어머니가 예식장을 바꾸자고 하세요",
    "오늘 회사에서 정말 황당한 일이 있었어요",
    "계약금은 이미 넣었고 예식장은 안 바꿉니다",
    "친구가 빌려 간 돈을 일 년째 안 갚고 있어요",
    "여러분 생각은 어떠세요",
    "아이가 처음으로 엄마라고 불렀어요",
]


def setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wagglebot.settings")
    os.environ.setdefault("ENV_FILE", "/dev/null")
    os.environ.setdefault("SECRET_KEY", "bench-secret-key-not-for-production-0123456789")
    import django

    django.setup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", default="vosk", choices=["vosk", "whisper"])
    parser.add_argument("--rate", default="170", help="espeak-ng words per minute")
    parser.add_argument("--chain", action="store_true", help="also measure without the denoiser")
    args = parser.parse_args()
    setup()
    from generation import stt, stt_audio
    from generation.tts import Espeak, write_wav

    engine = stt.ENGINES[args.engine]()
    voice = Espeak("ko", args.rate)
    variants = {"denoised": stt_audio.DENOISERS, "band only": ()} if args.chain else {"denoised": stt_audio.DENOISERS}
    for label, denoisers in variants.items():
        stt_audio.DENOISERS = denoisers
        rates, spent, heard = [], 0.0, 0.0
        print(f"{label}: {'CER':>5} {'conf':>5} {'RTF':>5}  heard")
        with tempfile.TemporaryDirectory() as folder:
            for n, sentence in enumerate(SENTENCES):
                clip = voice.clip(sentence)
                path = Path(folder) / f"{n}.wav"
                write_wav(path, clip.pcm)
                started = time.perf_counter()
                try:
                    result = stt.transcribe(path, [engine])
                    text, confidence = result.text, result.confidence or 0.0
                except stt.TranscriptionError as exc:
                    text, confidence = "", 0.0
                    print(f"  {exc.message}")
                seconds = time.perf_counter() - started
                spent, heard = spent + seconds, heard + clip.duration_ms / 1000
                rates.append(stt.character_error_rate(sentence, text))
                print(f"  {rates[-1]:>9.2f} {confidence:>5.2f} {seconds * 1000 / clip.duration_ms:>5.2f}  {text}")
        print(f"stt engine={args.engine} chain={label!r} cer={sum(rates) / len(rates):.2f} rtf={spent / heard:.2f}")


if __name__ == "__main__":
    main()
