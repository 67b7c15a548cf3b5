"""Accounts for the moderation console: a role on the add-user form, and a login that says why.

Staff status is what opens the admin; the role's group is what a person may do there. The add
form sets both from one "role" choice, and joining a role group any other way sets staff status
too (``posts.roles.role_members_make_staff``).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from posts.roles import ROLE_LABELS, user_role_grant

User = get_user_model()


class RoleUserCreationForm(AdminUserCreationForm):
    role = forms.ChoiceField(
        label=_("Role"), choices=[("", _("— none —")), *ROLE_LABELS.items()], required=False,
        help_text=_("Gives the account staff status and this group, so it can log in to the moderation console."),
    )


class StaffUserAdmin(UserAdmin):
    add_form = RoleUserCreationForm
    add_fieldsets = [*UserAdmin.add_fieldsets, (_("Role"), {"classes": ["wide"], "fields": ["role"]})]

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        if not change and form.cleaned_data.get("role"):
            user_role_grant(obj, form.cleaned_data["role"])


class StaffLoginForm(AdminAuthenticationForm):
    def confirm_login_allowed(self, user) -> None:
        # Django says "enter the correct username and password" here, and the person retypes a
        # password that was right.
        if user.is_active and not user.is_staff:
            raise ValidationError(
                _("This account may not use the moderation console yet: ask an administrator to give it "
                  "the Moderators or Publishers role."), code="not_staff",
            )
        super().confirm_login_allowed(user)


admin.site.unregister(User)
admin.site.register(User, StaffUserAdmin)
admin.site.login_form = StaffLoginForm
