"""posts.Content becomes generation.Short: the same rows, moved into the app that writes them."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = [("posts", "0005_phase_attempts")]

    operations = [
        # The table exists (posts_content): only the model state moves here, then the table is renamed.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Short",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name="ID")),
                        ("script", models.TextField(blank=True, help_text="Narration, at most 200 spoken characters.")),
                        ("script_source", models.CharField(blank=True, choices=[
                            ("llm", "LLM"), ("extractive", "Extractive"), ("human", "Edited by a person")],
                            max_length=16)),
                        ("script_data", models.JSONField(blank=True, default=dict,
                                                         help_text="hook, body, closer, best comment")),
                        ("title", models.CharField(blank=True, max_length=100)),
                        ("description", models.TextField(blank=True)),
                        ("tags", models.JSONField(blank=True, default=list)),
                        ("audio_path", models.CharField(blank=True, max_length=255)),
                        ("video_path", models.CharField(blank=True, max_length=255)),
                        ("thumbnail_path", models.CharField(blank=True, max_length=255)),
                        ("timings", models.JSONField(blank=True, default=dict)),
                        ("qc", models.JSONField(blank=True, default=dict)),
                        ("generation_meta", models.JSONField(blank=True, default=dict)),
                        ("upload_meta", models.JSONField(blank=True, default=dict)),
                        ("platform_id", models.CharField(blank=True, max_length=64)),
                        ("video_url", models.URLField(blank=True)),
                        ("uploaded_at", models.DateTimeField(blank=True, null=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        ("post", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE,
                                                      related_name="short", to="posts.post")),
                    ],
                    options={
                        "db_table": "posts_content",
                        "indexes": [models.Index(fields=["uploaded_at"], name="content_uploaded")],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="short", table=None),
    ]
