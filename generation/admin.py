"""The short on the post page: script editing, audio and video preview, QC, re-render."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.html import format_html, format_html_join

from generation.models import Short
from generation.services import short_rerender, short_rerender_offered
from generation.speech import short_voice_fell_back
from posts.admin import PostPagePart, post_page_extend
from posts.media import media_url
from posts.models import Post


class ShortInline(admin.StackedInline):
    model = Short
    verbose_name_plural = "short"
    fields = ["script", "script_source", "title", "description", "layout", "voice", "audio", "video", "qc_results"]
    readonly_fields = ["script_source", "voice", "audio", "video", "qc_results"]
    extra = 0
    max_num = 1
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # the pipeline creates the short; a person only edits it

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        # While a worker holds the post it saves this row itself; an edit now would be lost.
        if obj is not None and obj.claimed_at is not None:
            return [*self.readonly_fields, "script", "title", "description", "layout"]
        return self.readonly_fields

    @admin.display(description="voice")
    def voice(self, short: Short) -> str:
        speech = (short.generation_meta or {}).get("engines", {}).get("speech", {})
        if not speech:
            return "—"
        if short_voice_fell_back(short):
            return format_html(
                '<strong class="errornote">{} instead of {}: held for a person, never published by the slots.</strong>'
                " {}",
                speech.get("engine", "?"), speech.get("wanted", "the first engine"), speech.get("fallback_reason", ""),
            )
        return format_html("{} ({}, rate {})", speech.get("engine"), speech.get("voice"), speech.get("rate"))

    @admin.display(description="audio")
    def audio(self, short: Short) -> str:
        if not short.audio_path:
            return "—"
        return format_html('<audio controls preload="none" src="{}"></audio>', media_url(short.audio_path))

    @admin.display(description="video")
    def video(self, short: Short) -> str:
        if not short.video_path:
            return "—"
        poster = media_url(short.thumbnail_path) if short.thumbnail_path else ""
        return format_html(
            '<video id="post-video" controls preload="auto" width="270" poster="{}" src="{}"></video>',
            poster, media_url(short.video_path),
        )

    @admin.display(description="QC results")
    def qc_results(self, short: Short) -> str:
        if not short.qc:
            return "—"
        rows = format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", sorted(short.qc.items()))
        return format_html("<table>{}</table>", rows)


class ShortPage(PostPagePart):
    """An edited script marks the short as a person's; "Save and re-render" makes it again."""

    inline = ShortInline

    def context(self, model_admin, request, post: Post) -> dict:
        return {"rerender": short_rerender_offered(post) and model_admin.has_approve_permission(request)}

    def formset_saving(self, request, formset) -> None:
        for form in formset.forms:
            if isinstance(form.instance, Short) and "script" in form.changed_data:
                form.instance.script_source = Short.ScriptSource.HUMAN
                request._script_edited = True
            if isinstance(form.instance, Short) and "layout" in form.changed_data:
                request._layout_changed = True

    def respond(self, model_admin, request, post: Post) -> bool:
        if "_rerender" in request.POST and model_admin.has_approve_permission(request):
            try:
                short_rerender(post=post, by=request.user)
                model_admin.message_user(request, "Re-rendering with the edited script.", messages.SUCCESS)
            except Post.InvalidTransition as exc:
                model_admin.message_user(request, f"Not re-rendered: {exc}", messages.WARNING)
            return True
        if getattr(request, "_script_edited", False) and short_rerender_offered(post):
            model_admin.message_user(
                request, "Script saved. The video still has the old narration: use “Save and re-render”.",
                messages.WARNING,
            )
        if getattr(request, "_layout_changed", False) and short_rerender_offered(post):
            model_admin.message_user(
                request, "Layout saved. The video still has the old one: use “Save and re-render”.", messages.WARNING,
            )
        return False


post_page_extend(ShortPage())
