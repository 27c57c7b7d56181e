from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """For load balancers and uptime checks: answers without touching the database."""
    return JsonResponse({"status": "ok"})


class HomeView(TemplateView):
    template_name = "home.html"
