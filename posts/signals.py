"""What posts announces, so apps above it (webhooks) follow the lifecycle without posts importing them."""

from __future__ import annotations

from django.dispatch import Signal

# Sent once the transaction that recorded a status change has committed: ``change`` (StatusChange).
# Nothing is sent for a move that was rolled back.
status_changed = Signal()

# Sent by a crawl run after it scored its site: ``posts``, the run's new posts with their scores.
posts_collected = Signal()
