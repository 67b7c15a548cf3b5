"""Cluster heartbeats: each ``runcluster`` process writes one row every few seconds.

Django-Q2 keeps its own cluster stats in the cache, which without Redis is each process's local
memory: the web process cannot see them. A row in the database can be read by ``/healthz``
anywhere, without importing anything of the workers' (torch, the render stack).
"""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta

from django.db import models
from django.utils import timezone


class HeartbeatQuerySet(models.QuerySet):
    def beat(self, name: str) -> None:
        """Record that the cluster ``name`` on this host is alive now."""
        self.update_or_create(name=name, host=socket.gethostname()[:100],
                              defaults={"pid": os.getpid(), "seen_at": timezone.now()})

    def alive(self, name: str, now: datetime, within: timedelta) -> bool:
        return self.filter(name=name, seen_at__gte=now - within).exists()

    def last_seen(self, name: str) -> datetime | None:
        return self.filter(name=name).order_by("-seen_at").values_list("seen_at", flat=True).first()


class ClusterHeartbeat(models.Model):
    name = models.CharField(max_length=32)
    host = models.CharField(max_length=100)
    pid = models.PositiveIntegerField()
    seen_at = models.DateTimeField()

    objects = HeartbeatQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name", "host"], name="heartbeat_name_host_unique")]

    def __str__(self) -> str:
        return f"{self.name}@{self.host}"
