"""A stand-in worker process for the crash test: renders one job given as JSON on argv.

Run as ``python -m tests.generation.render_worker JOB_JSON``; the test kills it mid-render.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wagglebot.settings")
    import django

    django.setup()
    from django.conf import settings

    from generation.render import RenderJob, render_short

    spec = json.loads(sys.argv[1])
    settings.RENDER_X264_PRESET, settings.RENDER_ENCODER = "ultrafast", "libx264"
    job = RenderJob(audio_path=Path(spec["audio"]), duration_ms=spec["duration_ms"], timings=spec["timings"],
                    title=spec["title"], out_dir=Path(spec["out_dir"]))
    render_short(job).finalize(job.out_dir)


if __name__ == "__main__":
    main()
