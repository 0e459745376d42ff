from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def system_list(request):  # placeholder until the registry pages land
    return render(request, "systems/placeholder.html")


@login_required
def migration_dashboard(request):  # placeholder until the dashboard lands
    return render(request, "systems/placeholder.html")
