"""The 1080×1920 thumbnail for Shorts, beside the 1280×720 one."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("generation", "0002_upload_fields_move_out")]

    operations = [
        migrations.AddField(model_name="short", name="tall_thumbnail_path",
                            field=models.CharField(blank=True, max_length=255)),
    ]
