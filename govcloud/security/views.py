from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def overview(request):  # placeholder until the security pages land
    return render(request, "security/placeholder.html")
