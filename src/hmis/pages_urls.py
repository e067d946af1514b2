from django.shortcuts import redirect, render
from django.urls import path

from hmis.accounts.permissions import Perm, has_perm, requires


@requires(Perm.SIGNED_IN)
def home(request):
    """Signed-in users start at Batch Services (a scan station at its assigned batches);
    everyone else gets the sign-in page from the decorator."""
    if has_perm(request.user, Perm.VIEW_BATCHES):
        return redirect("batches:list")
    if has_perm(request.user, Perm.SCAN):
        return redirect("batches:station")
    if has_perm(request.user, Perm.VIEW_CLIENTS):
        return redirect("clients:search")
    return render(request, "home.html")


urlpatterns = [
    path("", home, name="home"),
]
