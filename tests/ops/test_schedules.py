from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django_q.models import Schedule

from ops.schedules import schedules

pytestmark = pytest.mark.django_db


def sync() -> str:
    out = StringIO()
    call_command("sync_schedules", stdout=out, stderr=StringIO())
    return out.getvalue()


def test_sync_schedules_creates_every_schedule_once_however_often_it_runs():
    sync()
    sync()

    names = sorted(Schedule.objects.values_list("name", flat=True))
    assert names == sorted(item["name"] for item in schedules())
    assert "posts.sweep" in names


def test_every_schedule_names_its_cluster_and_an_importable_task():
    from django.utils.module_loading import import_string

    for item in schedules():
        assert item["cluster"] in ("default", "gpu")
        assert callable(import_string(item["func"]))


def test_sync_schedules_repairs_an_edited_schedule_and_removes_stale_ones():
    sync()
    Schedule.objects.filter(name="posts.sweep").update(minutes=999, func="gone.task")
    Schedule.objects.create(name="old.task", func="old.task", schedule_type=Schedule.HOURLY)

    sync()

    sweep = Schedule.objects.get(name="posts.sweep")
    assert (sweep.minutes, sweep.func) == (5, "posts.tasks.sweep")
    assert not Schedule.objects.filter(name="old.task").exists()
