from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from govcloud.core.policy import Policy
from govcloud.policies import selectors, services
from govcloud.policies.forms import PolicyForm


@login_required
def policy_list(request):
    return render(request, "policies/policy_list.html", {"rows": selectors.policies_for(user=request.user)})


@login_required
@require_GET
def policy_preview(request):
    """The HTMX preview under a policy's field: what the typed value would do before it is saved."""
    preview = selectors.policy_preview(
        user=request.user, key=request.GET.get("key", ""), raw=request.GET.get("value", "")
    )
    if preview is None:
        raise Http404
    return render(request, "policies/_preview.html", {"preview": preview})


@login_required
@require_POST
def policy_update(request):
    form = PolicyForm(request.POST)
    if form.is_valid() and form.cleaned_data["key"] in Policy.values:
        try:
            services.policy_set(
                actor=request.user, key=Policy(form.cleaned_data["key"]), raw=form.cleaned_data["value"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Policy saved."))
    else:
        messages.error(request, _("Unknown policy."))
    return redirect("policies:policy_list")
