"""Sound effects in the rendered file: a whoosh on a sentence cut, a pop as the comment card
pops in, both audible and both under the voice."""

from __future__ import annotations

import re
from pathlib import Path

from generation.render import RenderJob, render_short
from tests.generation.media import media_tools, narration  # noqa: F401 (fixture)
from wagglebot.lib import ffmpeg

SENTENCES = ["오늘 회사에서 황당한 일이 있었어요.", "팀장님이 갑자기 사표를 냈습니다.",
             "여러분이라면 어떻게 하실 건가요?"]
COMMENT = {"author": "익명의댓글러", "text": "저라면 바로 퇴사합니다"}


def rms_db(video: Path, start: float, seconds: float) -> float:
    done = ffmpeg.run(["-ss", f"{start:.3f}", "-t", f"{seconds:.3f}", "-i", str(video), "-map", "0:a:0",
                       "-af", "astats=measure_perchannel=none:measure_overall=RMS_level", "-f", "null", "-"])
    level = re.findall(r"RMS level dB:\s*(-?[\d.]+|-inf)", done.stderr)[-1]
    return float(level) if level != "-inf" else -120.0


def render(tmp_path: Path, settings, *, effects: bool) -> tuple:
    settings.RENDER_BGM_DIR = tmp_path / "no-music"  # the effects alone in the gaps between sentences
    settings.RENDER_SFX_DIR = settings.RENDER_SFX_DIR if effects else ""
    audio, timings = narration(tmp_path / "voice", SENTENCES)
    # The last line is read as a comment; its card pops in 0.25 s early, in the silence espeak
    # leaves after the line before, so the pop is heard alone there.
    timings["sentences"][2].update(comment=0, start_ms=timings["sentences"][2]["start_ms"] - 250)
    job = RenderJob(audio_path=audio, duration_ms=timings["duration_ms"], timings=timings, title="황당한 일",
                    out_dir=tmp_path / ("fx" if effects else "plain"), best_comment=COMMENT, comments=[COMMENT])
    rendered = render_short(job)
    return timings, rendered


def test_a_whoosh_on_the_cut_and_a_pop_on_the_card_are_audible_and_under_the_voice(tmp_path, settings, media_tools):  # noqa: F811
    timings, with_fx = render(tmp_path, settings, effects=True)
    _, plain = render(tmp_path, settings, effects=False)
    cut, card = (s["start_ms"] / 1000 for s in timings["sentences"][1:])
    first = timings["sentences"][0]
    voice = rms_db(with_fx.video, first["start_ms"] / 1000 + 0.3, 1.0)

    assert with_fx.meta["sfx"] == {"whoosh": [round(cut - 0.2, 3)], "pop": [card]}
    assert plain.meta["sfx"] == {}
    # espeak's clips end in ~0.3 s of silence: the whoosh's swell before the cut is all that sounds there.
    whoosh, silence = rms_db(with_fx.video, cut - 0.15, 0.12), rms_db(plain.video, cut - 0.15, 0.12)
    assert whoosh > silence + 20 and whoosh > -45
    assert whoosh < voice - 3
    pop, without = rms_db(with_fx.video, card, 0.06), rms_db(plain.video, card, 0.06)
    assert pop > without + 20 and pop > -45
    assert pop < voice
