"""Whether a worker cluster is alive, from the heartbeats ``runcluster`` writes.

One rule for ``/healthz`` and the console's Progress alarm: a cluster is down when it sent no
heartbeat within HEALTHZ_HEARTBEAT_SECONDS while work waits for it; idle and silent is fine.
Nothing here imports the workers' code: the ML stack would cost the web process seconds and
hundreds of MB on the first call, and the web machine need not have a GPU at all.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.apps import apps
from django.conf import settings
from django.db.models import Q

from ops.models import ClusterHeartbeat
from posts.models import LifecycleModel


def cluster_health(name: str, now: datetime) -> dict:
    """``{"ok", "heartbeat", "work_waiting"}`` of the cluster ``name``."""
    within = timedelta(seconds=settings.HEALTHZ_HEARTBEAT_SECONDS)
    alive = ClusterHeartbeat.objects.alive(name, now, within)
    waiting = work_waiting(name)
    return {"ok": alive or not waiting, "heartbeat": alive, "work_waiting": waiting}


def work_waiting(name: str) -> bool:
    """Rows (posts, compilations) waiting for a task of cluster ``name`` or held by one of its
    workers, or tasks queued for it."""
    for model in apps.get_models():
        if issubclass(model, LifecycleModel) and model._default_manager.filter(_waiting_for(model, name)).exists():
            return True
    from django_q.brokers import get_broker

    return bool(get_broker(name).queue_size())


def _waiting_for(model: type[LifecycleModel], name: str) -> Q:
    lifecycle = model.lifecycle
    waiting = Q(pk__in=[])
    for status, task in lifecycle.pending.items():
        if task.cluster == name:
            waiting |= Q(status=status) & task.waiting
    # A claimed row is held by a worker of the cluster that serves the status its lease returns to.
    claimed = [status for status, (_, failure) in lifecycle.leases.items()
               if lifecycle.pending[failure.retry_to].cluster == name]
    return waiting | Q(status__in=claimed)
