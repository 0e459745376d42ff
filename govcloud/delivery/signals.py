"""What delivery tells the layers above it. Delivery never imports the application workflow (the
imports run catalog ← ledger ← delivery ← applications); the workflow listens here instead (its
receivers are connected in ApplicationsConfig.ready). Inside delivery, `work_order_waiting` lets the
drivers and provisioning ask for a task without importing delivery.tasks, which imports them.

Both are sent inside the sending service's transaction: a receiver that fails rolls the work order
back with it, so the two never disagree.
"""

from django.dispatch import Signal

# Every step of a work order (created, claimed, noted, completed, reopened): for the application's
# timeline. kwargs: work_order, action (a NoteKind value), actor, comment.
work_order_event = Signal()

# The last open work order of an application was completed: the application moves on (delivered
# for testing, or completed for a termination). kwargs: application_id, actor.
application_work_done = Signal()

# An automatic work order waits for the platform (just created, retried, found by the provisioning
# sweep). delivery.tasks enqueues its task when the sender's transaction commits; the lower modules
# (the drivers, provisioning) send this instead of importing the task module above them.
# kwargs: work_order_id.
work_order_waiting = Signal()
