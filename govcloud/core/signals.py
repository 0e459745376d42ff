"""Signals between apps on different floors (see pyproject's import-linter layers).

- `alert_opened(sender, source_key, title, symptom, resource, occurred_at)`: monitoring opened an
  alert whose rule asks for an incident. The service desk (incidents, a floor below monitoring)
  connects a receiver that opens one automatic incident per `source_key` and returns it; the sender
  keeps the returned incident's id. Monitoring thus never imports the incidents app.
- `alert_closed(sender, source_key, body)`: the alert's condition cleared; the receiver writes a
  line on the open incident's timeline (a person confirms the recovery, the alert does not).
"""

from django.dispatch import Signal

alert_opened = Signal()
alert_closed = Signal()
