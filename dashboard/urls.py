from django.urls import path

from dashboard import views
from hokenfukushi.pages import scope_required

urlpatterns = [path("", scope_required(views.dashboard), name="dashboard")]
