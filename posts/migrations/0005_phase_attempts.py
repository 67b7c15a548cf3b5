"""One attempt counter per phase, the queue hint, TAKING_DOWN, and failure kinds that carry
their permanence: every existing row keeps its meaning."""

from django.db import migrations, models

STATUS_CHOICES = [
    ("COLLECTED", "Collected"), ("APPROVED", "Approved"), ("DECLINED", "Declined"), ("PROCESSING", "Processing"),
    ("RENDERED", "Rendered"), ("UPLOADING", "Uploading"), ("UPLOADED", "Uploaded"), ("FAILED", "Failed"),
    ("TAKING_DOWN", "Taking down"), ("TAKEN_DOWN", "Taken down"),
]
UPLOAD_STATUSES = ("RENDERED", "UPLOADING", "UPLOADED", "TAKEN_DOWN")
UPLOAD_CODES = ("UPLOAD_FAILED", "UPLOAD_LEASE_EXPIRED", "UPLOAD_RETRY", "QUOTA_WAIT", "UPLOAD_AUTH")
# Permanent failures were a flag beside the code; now the kind says it.
PERMANENT_KINDS = {
    "SCRIPT_FAILED": "SCRIPT_INVALID", "TTS_FAILED": "TTS_INVALID", "RENDER_FAILED": "RENDER_INVALID",
    "UPLOAD_FAILED": "UPLOAD_REJECTED",
}


def split_attempts(apps, schema_editor):
    Post = apps.get_model("posts", "Post")
    upload = models.Q(status__in=UPLOAD_STATUSES) | models.Q(status="FAILED", error_code__in=UPLOAD_CODES)
    Post.objects.filter(upload).update(upload_attempts=models.F("attempts"))
    Post.objects.exclude(upload).update(generation_attempts=models.F("attempts"))
    for old, new in PERMANENT_KINDS.items():
        Post.objects.filter(error_code=old, error_permanent=True).update(error_code=new)


def join_attempts(apps, schema_editor):
    Post = apps.get_model("posts", "Post")
    for old, new in PERMANENT_KINDS.items():
        Post.objects.filter(error_code=new).update(error_code=old, error_permanent=True)
    Post.objects.update(attempts=models.F("generation_attempts") + models.F("upload_attempts"))


class Migration(migrations.Migration):
    dependencies = [("posts", "0004_inbox_canonical_index")]

    operations = [
        migrations.AddField("post", "generation_attempts",
                            models.PositiveSmallIntegerField(default=0, editable=False)),
        migrations.AddField("post", "upload_attempts", models.PositiveSmallIntegerField(default=0, editable=False)),
        migrations.AddField("post", "take_down_attempts",
                            models.PositiveSmallIntegerField(default=0, editable=False)),
        migrations.AddField("post", "queued_at", models.DateTimeField(blank=True, editable=False, null=True)),
        migrations.RunPython(split_attempts, join_attempts),
        migrations.RemoveField("post", "attempts"),
        migrations.AlterField("post", "status", models.CharField(
            choices=STATUS_CHOICES, default="COLLECTED", editable=False, max_length=16)),
        migrations.AlterField("statuschange", "old", models.CharField(choices=STATUS_CHOICES, max_length=16)),
        migrations.AlterField("statuschange", "new", models.CharField(choices=STATUS_CHOICES, max_length=16)),
    ]
