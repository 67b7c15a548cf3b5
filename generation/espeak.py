"""libespeak-ng through ctypes: the audio of one sentence and the engine's own word events.

The espeak-ng CLI only writes a WAV (plus ~0.29 s of silence after it), so word timings had to be
guessed by spreading the clip's length over the words, which put the karaoke highlight ~200 ms
late. The library's synthesis callback reports, for every word it speaks, the word's character
position in the input and its audio position in milliseconds: the real onsets.

The library keeps global state and is not thread-safe: one instance per process, behind a lock.
``LibraryUnavailable`` means "use the CLI instead".
"""

from __future__ import annotations

import ctypes
import functools
import threading
from dataclasses import dataclass

LIBRARY = "libespeak-ng.so.1"  # Debian's libespeak-ng1, a dependency of the espeak-ng package

AUDIO_OUTPUT_SYNCHRONOUS = 2
POS_CHARACTER = 1
CHARS_UTF8 = 1
PARAMETER_RATE = 1
EVENT_LIST_TERMINATED = 0
EVENT_WORD = 1


class LibraryUnavailable(Exception):
    """libespeak-ng cannot be loaded or initialised here."""


class SynthError(Exception):
    """The library is there but could not speak this text (unknown voice, synthesis error)."""


class Event(ctypes.Structure):
    """espeak_EVENT from speak_lib.h."""

    _fields_ = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),  # 1-based character position in the input
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),  # milliseconds from the start of this synthesis
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", ctypes.c_char * 8),
    ]


CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(Event))


@dataclass
class Synthesis:
    pcm: bytes  # mono s16le at ``sample_rate``
    sample_rate: int
    words: list[tuple[int, int]]  # (0-based character position, audio ms) per word event


class Library:
    def __init__(self, lib: ctypes.CDLL, sample_rate: int) -> None:
        self.lib = lib
        self.sample_rate = sample_rate
        self.lock = threading.Lock()
        self.pcm = bytearray()
        self.words: list[tuple[int, int]] = []
        self.callback = CALLBACK(self._on_audio)  # kept on self: a collected callback crashes the process
        lib.espeak_SetSynthCallback(self.callback)

    def speak(self, text: str, voice: str, words_per_minute: int) -> Synthesis:
        data = text.encode() + b"\0"
        with self.lock:
            self.pcm, self.words = bytearray(), []
            if self.lib.espeak_SetVoiceByName(voice.encode()) != 0:
                raise SynthError(f"libespeak-ng has no voice {voice!r}")
            self.lib.espeak_SetParameter(PARAMETER_RATE, words_per_minute, 0)
            # No espeakENDPAUSE flag: the clip ends where the speech ends.
            status = self.lib.espeak_Synth(data, len(data), 0, POS_CHARACTER, 0, CHARS_UTF8, None, None)
            if status != 0:
                raise SynthError(f"espeak_Synth failed with status {status}")
            return Synthesis(pcm=bytes(self.pcm), sample_rate=self.sample_rate, words=self.words)

    def _on_audio(self, wav, count: int, events) -> int:
        if wav and count > 0:
            self.pcm += ctypes.string_at(wav, count * 2)
        n = 0
        while events[n].type != EVENT_LIST_TERMINATED:
            if events[n].type == EVENT_WORD:
                self.words.append((events[n].text_position - 1, events[n].audio_position))
            n += 1
        return 0  # 0 = go on synthesizing


@functools.cache
def library() -> Library:
    """The process's libespeak-ng, initialised once; LibraryUnavailable when it cannot be."""
    try:
        lib = ctypes.CDLL(LIBRARY)
    except OSError as exc:
        raise LibraryUnavailable(f"cannot load {LIBRARY}: {exc}") from exc
    lib.espeak_Synth.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int, ctypes.c_uint,
                                 ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p]
    lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
    lib.espeak_SetSynthCallback.argtypes = [CALLBACK]
    sample_rate = lib.espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, None, 0)
    if sample_rate <= 0:
        raise LibraryUnavailable(f"espeak_Initialize failed ({sample_rate}): no espeak-ng-data?")
    return Library(lib, sample_rate)
