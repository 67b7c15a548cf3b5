"""Content's rows now belong to generation.Short (generation 0001 renamed the table)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("posts", "0005_phase_attempts"), ("generation", "0001_short")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.RemoveIndex(model_name="content", name="content_uploaded"),
                              migrations.DeleteModel(name="Content")],
            database_operations=[],
        ),
    ]
