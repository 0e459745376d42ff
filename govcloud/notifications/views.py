from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from govcloud.core.actors import actor_roles
from govcloud.core.forms import form_errors_from
from govcloud.core.paging import page_of
from govcloud.core.roles import Role
from govcloud.core.scoping import Action
from govcloud.notifications import selectors, services
from govcloud.notifications.forms import RobotForm
from govcloud.notifications.kinds import KINDS, URGENT_KINDS, kind_for
from govcloud.notifications.models import PERSONAL_CHANNELS, DeliveryStatus, ShortLink
from govcloud.notifications.robots import mask_webhook
from govcloud.notifications.sms import sms_enabled


@login_required
def notification_list(request):
    page = page_of(request, selectors.notifications_for(user=request.user))
    return render(request, "notifications/notification_list.html", {"page": page})


@login_required
@require_POST
def notification_open(request, pk: int):
    notification = selectors.notification_get(user=request.user, pk=pk)
    services.notification_mark_read(actor=request.user, notification=notification)
    link = notification.link
    if link and url_has_allowed_host_and_scheme(link, allowed_hosts={request.get_host()}):
        return redirect(link)
    return redirect("notifications:notification_list")


@login_required
@require_POST
def notification_read_all(request):
    services.notification_mark_read(actor=request.user)
    return redirect("notifications:notification_list")


@login_required
def notification_badge(request):
    """The unread count for the bell, fetched after the page loads so pages pay no query for it."""
    return render(request, "notifications/_badge.html", {"unread": selectors.unread_count(user=request.user)})


_CHOICES = {"": None, "on": True, "off": False}


@login_required
def notification_preferences(request):
    """My notification settings: e-mail and SMS per kind of notification (the platform always)."""
    rows = selectors.preference_rows(user=request.user)
    if request.method == "POST":
        email, sms = {}, {}
        for row in rows:
            raw = request.POST.get(f"kind:{row.kind}", row.choice_value)
            raw_sms = request.POST.get(f"sms:{row.kind}", row.sms_choice_value)
            if raw not in _CHOICES or raw_sms not in _CHOICES:
                return HttpResponseBadRequest()
            email[row.kind], sms[row.kind] = _CHOICES[raw], _CHOICES[raw_sms]
        try:
            services.notification_preferences_set(actor=request.user, choices=email, sms=sms)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect("notifications:preferences")
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notifications:preferences")
    groups: dict[str, dict] = {}
    for row in rows:
        groups.setdefault(row.group, {"label": row.group_label, "rows": []})["rows"].append(row)
    return render(
        request,
        "notifications/preferences.html",
        {
            "groups": list(groups.values()),
            "has_email": bool((request.user.email or "").strip()),
            "has_phone": bool((request.user.phone or "").strip()),
            "sms_enabled": sms_enabled(),
        },
    )


# --- Channels: mandatory channels, group robots, deliveries ------------------------------------------


@login_required
def channel_settings(request):
    """The channels page: which channels the center made mandatory for the urgent kinds (everyone
    sees them; the center's administrator changes them) and the group robots the reader manages."""
    user = request.user
    can_mandate = Role.CENTER_ADMIN in actor_roles(user)
    if request.method == "POST":
        if not can_mandate:
            raise PermissionDenied(_("Only the center's administrator sets mandatory channels."))
        wanted = []
        for value in request.POST.getlist("mandate"):
            kind, _sep, channel = value.rpartition(":")
            wanted.append((kind, channel))
        try:
            changes = services.channel_mandates_set(actor=user, mandates=wanted)
        except ValidationError as exc:
            return HttpResponseBadRequest(" ".join(exc.messages))
        if changes:
            messages.success(request, _("The mandatory channels are saved."))
        return redirect("notifications:channels")
    mandated = selectors.mandates()
    # The label people see on their settings page, where the kind's app registered one.
    urgent_labels = {code: KINDS[code].label if code in KINDS else label for code, label in URGENT_KINDS.items()}
    urgent = [
        {
            "kind": code,
            "label": label,
            "channels": [
                {"value": f"{code}:{channel.value}", "label": channel.label, "on": (code, channel.value) in mandated}
                for channel in PERSONAL_CHANNELS
            ],
        }
        for code, label in urgent_labels.items()
    ]
    roles = actor_roles(user)
    return render(
        request,
        "notifications/channels.html",
        {
            "urgent": urgent,
            "can_mandate": can_mandate,
            "robots": [
                (robot, mask_webhook(robot.webhook_url), [kind_for(code).label for code in robot.kinds])
                for robot in selectors.robots_for(user=user)
            ],
            # A security officer sees the department's robots; only its head changes them.
            "changeable": set(selectors.robots_for(user=user, action=Action.CHANGE).values_list("pk", flat=True)),
            "can_add_robot": bool(roles & {Role.CENTER_ADMIN, Role.DEPARTMENT_HEAD, Role.PROVIDER_OPERATOR}),
            "sms_enabled": sms_enabled(),
        },
    )


def _robot_form_page(request, form, *, heading, robot=None):
    return render(request, "notifications/robot_form.html", {"form": form, "heading": heading, "robot": robot})


@login_required
def robot_create(request):
    form = RobotForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            robot = services.robot_create(actor=request.user, **data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Robot “%(name)s” added.") % {"name": robot.name})
            return redirect("notifications:channels")
    return _robot_form_page(request, form, heading=_("Add a group robot"))


@login_required
def robot_edit(request, pk: int):
    robot = selectors.robot_get(user=request.user, pk=pk, action=Action.CHANGE)
    initial = {f: getattr(robot, f) for f in ("name", "platform", "message_format", "kinds", "is_active")}
    form = RobotForm(request.POST or None, user=request.user, robot=robot, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.robot_update(actor=request.user, robot=robot, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Robot “%(name)s” saved.") % {"name": robot.name})
            return redirect("notifications:channels")
    return _robot_form_page(request, form, heading=_("Edit group robot"), robot=robot)


@login_required
@require_POST
def robot_delete(request, pk: int):
    robot = selectors.robot_get(user=request.user, pk=pk, action=Action.CHANGE)
    services.robot_delete(actor=request.user, robot=robot)
    messages.success(request, _("Robot “%(name)s” removed.") % {"name": robot.name})
    return redirect("notifications:channels")


@login_required
def delivery_list(request):
    """Delivery status of SMS and robot messages: one's own; a department head's department's; the
    center's all."""
    deliveries = selectors.deliveries_for(user=request.user)
    status = request.GET.get("status", "")
    if status in DeliveryStatus.values:
        deliveries = deliveries.filter(status=status)
    page = page_of(request, deliveries)
    return render(
        request,
        "notifications/delivery_list.html",
        {"page": page, "status": status, "statuses": DeliveryStatus.choices},
    )


def short_link(request, code: str):
    """/s/<code>: the short address in an SMS, to its page on the platform (which asks for a login
    if needed). Only paths on this site: never a redirect elsewhere."""
    link = get_object_or_404(ShortLink, code=code)
    if not url_has_allowed_host_and_scheme(link.path, allowed_hosts=None) or not link.path.startswith("/"):
        raise Http404
    return redirect(link.path)
