"""What generation makes for a post: its short (script, speech, video, QC)."""

from __future__ import annotations

from django.db import models


class Short(models.Model):
    """The narration and rendered video of one post; the pipeline writes it, a person may edit
    the script, title and description. Publishing reads it; it knows nothing of uploads."""

    class ScriptSource(models.TextChoices):
        LLM = "llm", "LLM"
        EXTRACTIVE = "extractive", "Extractive"
        HUMAN = "human", "Edited by a person"

    class Layout(models.TextChoices):
        AUTO = "auto", "Automatic (few images: post card)"
        IMAGES = "images", "Image story (slideshow)"
        POST_CARD = "post_card", "Text story (post card)"

    post = models.OneToOneField("posts.Post", on_delete=models.CASCADE, related_name="short")
    script = models.TextField(blank=True, help_text="Narration, at most 200 spoken characters.")
    script_source = models.CharField(max_length=16, choices=ScriptSource.choices, blank=True)
    script_data = models.JSONField(default=dict, blank=True, help_text="hook, body, closer, best comment")
    title = models.CharField(max_length=100, blank=True)
    description = models.TextField(blank=True)
    tags = models.JSONField(default=list, blank=True)
    layout = models.CharField(max_length=16, choices=Layout.choices, default=Layout.AUTO,
                              help_text="What the video shows; the next render uses it.")
    # Paths relative to MEDIA_ROOT, served to staff by the media view.
    audio_path = models.CharField(max_length=255, blank=True)
    video_path = models.CharField(max_length=255, blank=True)
    thumbnail_path = models.CharField(max_length=255, blank=True)  # 1280×720
    tall_thumbnail_path = models.CharField(max_length=255, blank=True)  # 1080×1920, for Shorts
    timings = models.JSONField(default=dict, blank=True)
    qc = models.JSONField(default=dict, blank=True)
    generation_meta = models.JSONField(default=dict, blank=True)
    # When the current video file was put in place: an upload started for an older render must
    # not be resumed for this one.
    rendered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.title or f"short of post {self.post_id}"
