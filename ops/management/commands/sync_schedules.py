"""Create or update every schedule listed in ``ops.schedules.schedules()``; safe to run any time."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django_q.models import Schedule

from ops.schedules import schedules


class Command(BaseCommand):
    help = "Create or update the periodic tasks (crawls, lease sweep, publishing) idempotently."

    def handle(self, *args, **options) -> None:
        wanted = schedules()
        for item in wanted:
            fields = {key: value for key, value in item.items() if key != "name"}
            _, created = Schedule.objects.update_or_create(name=item["name"], defaults=fields)
            self.stderr.write(f"{'created' if created else 'updated'} {item['name']}")
        stale = Schedule.objects.filter(name__contains=".").exclude(name__in=[i["name"] for i in wanted])
        removed, _ = stale.delete()
        self.stdout.write(f"{len(wanted)} schedules in place, {removed} stale removed")
