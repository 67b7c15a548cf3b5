"""Moderators and Publishers may choose, order and narrate compilations, as they do posts."""

from django.db import migrations


def roles_extend(apps, schema_editor):
    from posts.roles import roles_sync

    roles_sync(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("posts", "0013_comment_and_history_verbose_names"),
        ("generation", "0009_compilation_suggestion"),
    ]

    operations = [migrations.RunPython(roles_extend, migrations.RunPython.noop)]
