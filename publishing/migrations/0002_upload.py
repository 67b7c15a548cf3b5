"""Uploads get their own record with typed columns; VideoStats and the copy of the counters in
the short's ``upload_meta`` become one store (Upload's counters)."""

import django.db.models.deletion
from django.db import migrations, models
from django.utils.dateparse import parse_datetime


def _moment(text):
    return parse_datetime(text) if text else None


def uploads_copy(apps, schema_editor):
    Short = apps.get_model("generation", "Short")
    Upload = apps.get_model("publishing", "Upload")
    VideoStats = apps.get_model("publishing", "VideoStats")
    counters = {row.post_id: row for row in VideoStats.objects.all()}
    for short in Short.objects.exclude(platform_id="", upload_meta={}).iterator():
        meta = short.upload_meta or {}
        seen = counters.get(short.post_id)
        stats = meta.get("stats") or {}
        Upload.objects.create(
            post_id=short.post_id, platform=meta.get("uploader") or "youtube", video_id=short.platform_id,
            url=short.video_url, uploaded_at=short.uploaded_at, publish_at=_moment(meta.get("publish_at")),
            session=meta.get("session") or {}, taken_down_at=_moment(meta.get("taken_down_at")),
            views=seen.views if seen else stats.get("views", 0), likes=seen.likes if seen else stats.get("likes", 0),
            comments=seen.comments if seen else stats.get("comments", 0),
            stats_fetched_at=seen.fetched_at if seen else _moment(stats.get("fetched_at")),
        )


def uploads_restore(apps, schema_editor):
    Short = apps.get_model("generation", "Short")
    VideoStats = apps.get_model("publishing", "VideoStats")
    for upload in apps.get_model("publishing", "Upload").objects.all():
        meta = {"uploader": upload.platform, "session": upload.session}
        if upload.publish_at:
            meta["publish_at"] = upload.publish_at.isoformat()
        if upload.taken_down_at:
            meta["taken_down_at"] = upload.taken_down_at.isoformat()
        if upload.stats_fetched_at:
            meta["stats"] = {"views": upload.views, "likes": upload.likes, "comments": upload.comments,
                             "fetched_at": upload.stats_fetched_at.isoformat()}
            VideoStats.objects.create(post_id=upload.post_id, platform_id=upload.video_id, views=upload.views,
                                      likes=upload.likes, comments=upload.comments, fetched_at=upload.stats_fetched_at)
        Short.objects.filter(post_id=upload.post_id).update(
            upload_meta=meta, platform_id=upload.video_id, video_url=upload.url, uploaded_at=upload.uploaded_at)


class Migration(migrations.Migration):
    dependencies = [("publishing", "0001_initial"), ("generation", "0001_short"), ("posts", "0006_content_moves_to_generation")]

    operations = [
        migrations.CreateModel(
            name="Upload",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("platform", models.CharField(help_text="The uploader's name (UPLOADERS).", max_length=16)),
                ("video_id", models.CharField(blank=True, max_length=64)),
                ("url", models.URLField(blank=True, max_length=500)),
                ("uploaded_at", models.DateTimeField(blank=True, null=True)),
                ("publish_at", models.DateTimeField(blank=True, help_text="Scheduled to go public then.", null=True)),
                ("processing_status", models.CharField(blank=True, max_length=32)),
                ("session", models.JSONField(blank=True, default=dict)),
                ("views", models.PositiveBigIntegerField(default=0)),
                ("likes", models.PositiveBigIntegerField(default=0)),
                ("comments", models.PositiveBigIntegerField(default=0)),
                ("stats_fetched_at", models.DateTimeField(blank=True, null=True)),
                ("taken_down_at", models.DateTimeField(blank=True, null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("post", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="uploads",
                                           to="posts.post")),
            ],
            options={
                "indexes": [models.Index(fields=["uploaded_at"], name="upload_uploaded")],
                "constraints": [models.UniqueConstraint(fields=("post", "platform"),
                                                        name="upload_post_platform_unique")],
            },
        ),
        migrations.RunPython(uploads_copy, uploads_restore),
        migrations.DeleteModel(name="VideoStats"),
    ]
