"""Operations home: the public overview page, /healthz, /metrics, schedules, the demo and the
project's system checks. It may import every app; no app imports it."""
