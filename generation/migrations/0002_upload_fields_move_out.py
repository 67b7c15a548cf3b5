"""The upload columns now live on publishing.Upload (publishing 0002 copied them)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("generation", "0001_short"), ("publishing", "0002_upload")]

    operations = [
        migrations.RemoveIndex(model_name="short", name="content_uploaded"),
        migrations.RemoveField(model_name="short", name="upload_meta"),
        migrations.RemoveField(model_name="short", name="platform_id"),
        migrations.RemoveField(model_name="short", name="video_url"),
        migrations.RemoveField(model_name="short", name="uploaded_at"),
        migrations.AddField(model_name="short", name="rendered_at", field=models.DateTimeField(blank=True, null=True)),
    ]
