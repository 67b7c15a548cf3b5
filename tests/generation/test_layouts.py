"""The two layouts, image story and post card, chosen by the image count unless a person chose."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from generation.render import RenderJob, _Graph, font_path
from tests.generation.media import make_images
from tests.generation.test_postcard import card

TIMINGS = {"duration_ms": 6000, "sentences": [{"text": "하나.", "start_ms": 0, "end_ms": 3000, "words": []},
                                              {"text": "둘.", "start_ms": 3000, "end_ms": 6000, "words": []}]}


def chosen_visual(tmp_path: Path, images: int, layout: str) -> str:
    job = RenderJob(audio_path=tmp_path / "none.wav", duration_ms=6000, timings=TIMINGS, title="제목",
                    out_dir=tmp_path, images=make_images(tmp_path / "images", images), post_card=card(),
                    site_name="네이트판", layout=layout)
    graph = _Graph(job, font_path(), tmp_path, 6.0)
    graph.prepare_visuals()
    return graph.meta["visual"]


@pytest.mark.parametrize(("images", "layout", "visual"), [
    (0, "auto", "post_card"),
    (1, "auto", "post_card"),
    (3, "auto", "slideshow"),
    (3, "post_card", "post_card"),
    (1, "images", "slideshow"),
    (0, "images", "post_card"),  # nothing to show as a slideshow: the card, not a blank background
])
def test_the_layout_follows_the_image_count_unless_a_person_chose_one(tmp_path, images, layout, visual):
    assert chosen_visual(tmp_path, images, layout) == visual


def test_the_best_comment_card_is_opaque_over_the_post_card(tmp_path):
    job = RenderJob(audio_path=tmp_path / "none.wav", duration_ms=6000, timings=TIMINGS, title="제목",
                    out_dir=tmp_path, post_card=card(), best_comment={"author": "익명", "text": "저라면 못 참아요"})
    _Graph(job, font_path(), tmp_path, 6.0).prepare_visuals()

    with Image.open(tmp_path / "comment.png") as drawn:
        alphas = {value for _, value in drawn.getchannel("A").getcolors()}
    assert alphas <= {0, 255} and 255 in alphas  # no see-through middle where the post card's text showed
