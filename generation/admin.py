"""The short on the post page (script editing, audio and video preview, QC, re-render) and the
clips' transcripts (correction and confirmation)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.http import JsonResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from generation import compilation_admin  # noqa: F401 - registers the compilation page and action
from generation.models import Short, Transcript
from generation.script import MAX_SENTENCE_CHARS, MAX_SPOKEN_CHARS, edited_spoken_chars, spoken_length
from generation.services import (
    short_rerender,
    short_rerender_offered,
    transcripts_confirm,
    transcripts_to_confirm,
)
from generation.speech import short_voice_fell_back
from posts.admin import PostPagePart, post_page_extend
from posts.lifecycle import Status
from posts.media import media_url
from posts.models import Post


class ShortForm(forms.ModelForm):
    def clean_script(self) -> str:
        # The worker refuses a longer narration permanently; refuse it here, while it can be fixed.
        script = self.cleaned_data["script"]
        spoken = spoken_length(script)
        if "script" in self.changed_data and spoken > MAX_SPOKEN_CHARS:
            raise forms.ValidationError(
                gettext("The narration is %(spoken)d spoken characters; the limit is %(limit)d "
                        "(numbers count as they are read: 3만원 → 삼만 원)."),
                code="too_long", params={"spoken": spoken, "limit": MAX_SPOKEN_CHARS},
            )
        return script


GONE = {Status.TAKING_DOWN, Status.TAKEN_DOWN}


class ShortInline(admin.StackedInline):
    model = Short
    form = ShortForm
    verbose_name_plural = _("short")
    fields = [
        "script", "script_source", "title", "description", "tags", "layout", "voice", "audio", "video", "qc_results",
    ]
    readonly_fields = ["script_source", "voice", "audio", "video", "qc_results"]
    extra = 0
    max_num = 1
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # the pipeline creates the short; a person only edits it

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        # While a worker holds the post it saves this row itself; an edit now would be lost. A
        # taken-down short is history: nothing of it will be rendered or published again.
        if obj is not None and (obj.claimed_at is not None or obj.status in GONE):
            return [*self.readonly_fields, "script", "title", "description", "tags", "layout"]
        return self.readonly_fields

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "script" and field is not None:
            # static/admin/js/post_page.js shows the spoken length beside the editor as you type.
            field.widget.attrs.update({
                "data-spoken-url": reverse("admin:posts_post_spoken_length"), "data-limit": MAX_SPOKEN_CHARS,
                "rows": 8,
            })
        return field

    @admin.display(description=_("voice"))
    def voice(self, short: Short) -> str:
        speech = (short.generation_meta or {}).get("engines", {}).get("speech", {})
        if not speech:
            return "—"
        if short_voice_fell_back(short):
            held = gettext("%(engine)s instead of %(wanted)s: held for a person, never published by the slots.") % {
                "engine": speech.get("engine", "?"), "wanted": speech.get("wanted", gettext("the first engine")),
            }
            return format_html('<strong class="errornote">{}</strong> {}', held, speech.get("fallback_reason", ""))
        return format_html("{}", gettext("%(engine)s (%(voice)s, rate %(rate)s)") % {
            "engine": speech.get("engine"), "voice": speech.get("voice"), "rate": speech.get("rate"),
        })

    @admin.display(description=_("audio"))
    def audio(self, short: Short) -> str:
        if not short.audio_path:
            return "—"
        return format_html('<audio controls preload="none" src="{}"></audio>', media_url(short.audio_path))

    @admin.display(description=_("video"))
    def video(self, short: Short) -> str:
        if not short.video_path:
            return "—"
        poster = media_url(short.thumbnail_path) if short.thumbnail_path else ""
        return format_html(
            '<video id="post-video" controls preload="auto" width="270" poster="{}" src="{}"></video>',
            poster, media_url(short.video_path),
        )

    @admin.display(description=_("QC results"))
    def qc_results(self, short: Short) -> str:
        if not short.qc:
            return "—"
        # QCReport.to_dict(): passed, reasons, measured figures (older rows kept the figures flat).
        measured = short.qc.get("measured") or {k: v for k, v in short.qc.items() if k not in ("passed", "reasons")}
        passed = short.qc.get("passed", True)
        verdict = format_html(
            '<strong class="{}">{}</strong> {}', "qc-passed" if passed else "errornote",
            gettext("passed") if passed else gettext("failed"), "; ".join(short.qc.get("reasons") or []),
        )
        rows = format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", sorted(measured.items()))
        return format_html("<p>{}</p><table>{}</table>", verdict, rows)


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
                model_admin.message_user(request, gettext("Re-rendering with the edited script."), messages.SUCCESS)
            except Post.InvalidTransition as exc:
                model_admin.message_user(
                    request, gettext("Not re-rendered: %(reason)s") % {"reason": exc}, messages.WARNING,
                )
            return True
        if getattr(request, "_script_edited", False) and short_rerender_offered(post):
            model_admin.message_user(
                request, gettext("Script saved. The video still has the old narration: use “Save and re-render”."),
                messages.WARNING,
            )
        if getattr(request, "_layout_changed", False) and short_rerender_offered(post):
            model_admin.message_user(
                request, gettext("Layout saved. The video still has the old one: use “Save and re-render”."),
                messages.WARNING,
            )
        return False


    def views(self, model_admin) -> dict:
        return {"spoken_length": require_POST(spoken_length_view)}


def spoken_length_view(request):
    """The spoken length of an edited narration, counted as the re-render will count it."""
    if not request.user.has_perm("posts.view_post"):
        return JsonResponse({"ok": False}, status=403)
    text = request.POST.get("text", "")[:MAX_SENTENCE_CHARS * 4]
    chars = edited_spoken_chars(text)
    return JsonResponse({"ok": True, "chars": chars, "limit": MAX_SPOKEN_CHARS, "fits": chars <= MAX_SPOKEN_CHARS})


post_page_extend(ShortPage())


class TranscriptInline(admin.StackedInline):
    model = Transcript
    verbose_name_plural = _("transcripts")
    fields = ["heard", "text", "corrected_text", "confirmation", "chain"]
    readonly_fields = ["heard", "text", "confirmation", "chain"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # STT creates transcripts; a person corrects and confirms them

    @admin.display(description=_("heard by"))
    def heard(self, transcript: Transcript) -> str:
        confidence = "?" if transcript.confidence is None else f"{transcript.confidence:.2f}"
        heard = gettext("%(engine)s (%(model)s), confidence %(confidence)s") % {
            "engine": transcript.engine, "model": transcript.model or "—", "confidence": confidence,
        }
        low = " — " + gettext("low: narrated only once confirmed") if transcript.low_confidence else ""
        return format_html("{}{}", heard, low)

    @admin.display(description=_("confirmed"))
    def confirmation(self, transcript: Transcript) -> str:
        if transcript.confirmed_at is None:
            return format_html("<strong>{}</strong>",
                               gettext("not yet") if transcript.low_confidence else gettext("not needed"))
        who = transcript.confirmed_by.get_username() if transcript.confirmed_by else "?"
        return format_html("{}", gettext("by %(user)s at %(when)s") % {
            "user": who, "when": transcript.confirmed_at.strftime("%Y-%m-%d %H:%M"),
        })


class TranscriptPage(PostPagePart):
    """A corrected transcript loses an earlier confirmation; "Save and confirm" gives it one."""

    inline = TranscriptInline

    def context(self, model_admin, request, post: Post) -> dict:
        offered = bool(transcripts_to_confirm(post)) and model_admin.has_approve_permission(request)
        return {"confirm_transcript": offered}

    def formset_saving(self, request, formset) -> None:
        for form in formset.forms:
            if isinstance(form.instance, Transcript) and "corrected_text" in form.changed_data:
                form.instance.confirmed_by, form.instance.confirmed_at = None, None

    def respond(self, model_admin, request, post: Post) -> bool:
        if "_confirm_transcript" not in request.POST or not model_admin.has_approve_permission(request):
            return False
        done = transcripts_confirm(post=post, by=request.user)
        message = gettext("%(count)d transcript(s) confirmed for the narration.") % {"count": done}
        model_admin.message_user(request, message, messages.SUCCESS)
        return True


post_page_extend(TranscriptPage())
