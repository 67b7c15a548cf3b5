"""Webhook endpoints and their deliveries in the admin: register, test, and read every attempt."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.utils.html import format_html
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hooks.events import sample_send
from hooks.models import SUBSCRIBABLE, Attempt, Delivery, Endpoint

RECENT_DELIVERIES = 20


@admin.display(description=_("failure"), ordering="error_code")
def failure_shown(row: Delivery | Attempt) -> str:
    """The failure kind's code (what logs and filters use) and its label in the reader's language."""
    if not row.failure:
        return "—"
    return format_html("<code>{}</code> {}", row.failure.code, gettext(row.failure.label))


class EndpointForm(forms.ModelForm):
    events = forms.MultipleChoiceField(
        label=_("Events"), choices=SUBSCRIBABLE, widget=forms.CheckboxSelectMultiple, required=False,
    )

    class Meta:
        model = Endpoint
        fields = ["name", "url", "format", "chat_id", "events", "active"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("format") == Endpoint.Format.TELEGRAM and not cleaned.get("chat_id"):
            self.add_error("chat_id", gettext("Telegram needs the chat to post to."))
        return cleaned


class RecentDeliveryInline(admin.TabularInline):
    model = Delivery
    verbose_name_plural = format_lazy(_("Recent deliveries (last {count})"), count=RECENT_DELIVERIES)
    fields = ["created_at", "event", "post", "status", "attempts", "response_code", failure_shown, "error",
              "next_attempt_at"]
    readonly_fields = fields
    show_change_link = True
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        # The formset filters by endpoint after this, so the cut is made by id, not by slicing.
        queryset = super().get_queryset(request)
        endpoint_id = request.resolver_match.kwargs.get("object_id")
        recent = queryset.filter(endpoint_id=endpoint_id).order_by("-pk").values_list("pk", flat=True)
        return queryset.filter(pk__in=list(recent[:RECENT_DELIVERIES])).select_related("post")


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    form = EndpointForm
    list_display = ["name", "format", "subscribed", "active", "deactivated_reason"]
    list_filter = ["active", "format"]
    readonly_fields = ["masked_secret", "deactivated_reason", "created_at"]
    inlines = [RecentDeliveryInline]
    actions = ["send_test_event"]

    def get_inlines(self, request, obj):
        return self.inlines if obj else []

    @admin.display(description=_("events"))
    def subscribed(self, endpoint: Endpoint) -> str:
        labels = dict(SUBSCRIBABLE)
        return ", ".join(str(labels.get(event, event)) for event in endpoint.events) or "—"

    @admin.display(description=_("secret"))
    def masked_secret(self, endpoint: Endpoint) -> str:
        if not endpoint.pk:
            return gettext("generated when saved, shown once")
        return format_html("<code>{}…{}</code> {}", endpoint.secret[:4], endpoint.secret[-2:],
                           gettext("(shown once, when the endpoint was added)"))

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        if not change:
            # The markup stays out of the catalog: the translation gets the name and the code as values.
            secret = format_html("<code>{}</code>", obj.secret)
            self.message_user(request, format_html(
                gettext("Signing secret of {name}: {secret}. Copy it now: it is not shown again."),
                name=obj.name, secret=secret,
            ), messages.WARNING)

    @admin.action(description=_("Send a test event to the selected endpoints"))
    def send_test_event(self, request, queryset) -> None:
        sent, skipped = 0, 0
        for endpoint in queryset:
            if not endpoint.active:
                skipped += 1
                continue
            with transaction.atomic():
                sample_send(endpoint)
            sent += 1
        self.message_user(request, gettext("%(sent)d test events queued, %(skipped)d inactive endpoints skipped") % {
            "sent": sent, "skipped": skipped,
        })


class AttemptInline(admin.TabularInline):
    model = Attempt
    fields = ["at", "response_code", failure_shown, "duration_ms", "response", "error"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "endpoint", "event", "post", "status", "attempts", "response_code", failure_shown,
                    "error", "next_attempt_at"]
    list_filter = ["status", "event", "error_code", "endpoint"]
    list_select_related = ["endpoint", "post"]
    search_fields = ["key"]
    inlines = [AttemptInline]
    readonly_fields = [field.name for field in Delivery._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
