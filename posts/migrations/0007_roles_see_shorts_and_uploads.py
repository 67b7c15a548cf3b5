"""The roles get the permissions on generation.Short and publishing.Upload that they had on Content."""

from django.db import migrations


def roles_extend(apps, schema_editor):
    from posts.roles import roles_sync

    roles_sync(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("posts", "0006_content_moves_to_generation"),
        ("generation", "0002_upload_fields_move_out"),
        ("publishing", "0002_upload"),
    ]

    operations = [migrations.RunPython(roles_extend, migrations.RunPython.noop)]
