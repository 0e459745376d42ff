"""Signals of utilization monitoring.

`rollups_done(sender=Rollup, period, starts)` is sent after a rollup run wrote the buckets
`starts` of `period` ("hour" or "day"): the hook where alert rules (idle, overloaded, nearly full,
anomaly — issue 13 §3) evaluate the fresh rollups without the rollup code knowing them."""

from django.dispatch import Signal

rollups_done = Signal()
