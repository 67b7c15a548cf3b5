"""Publishers may view failed tasks, quota usage and publish slots (README sends them there)."""

from django.db import migrations


def roles_extend(apps, schema_editor):
    from posts.roles import roles_sync

    roles_sync(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("posts", "0008_post_parse_sources_missing_fields"),
        ("publishing", "0003_upload_thumbnail_processing"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(roles_extend, migrations.RunPython.noop)]
