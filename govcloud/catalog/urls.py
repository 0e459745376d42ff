from django.urls import path

from govcloud.catalog import views

app_name = "catalog"

urlpatterns = [
    path("", views.item_list, name="item_list"),
    path("items/new/", views.item_create, name="item_create"),
    path("items/<int:pk>/", views.item_detail, name="item_detail"),
    path("items/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("items/<int:pk>/retire/", views.item_retire, name="item_retire"),
    path("items/<int:pk>/reinstate/", views.item_reinstate, name="item_reinstate"),
    path("items/<int:pk>/values/", views.option_add, name="option_add"),
    path("items/<int:pk>/ranges/", views.range_set, name="range_set"),
    path("values/<int:pk>/retire/", views.option_retire, name="option_retire"),
    path("values/<int:pk>/reinstate/", views.option_reinstate, name="option_reinstate"),
    path("prices/", views.price_list_list, name="price_list_list"),
    path("prices/new/", views.price_list_create, name="price_list_create"),
    path("prices/<int:pk>/", views.price_list_detail, name="price_list_detail"),
    path("prices/<int:pk>/edit/", views.price_list_edit, name="price_list_edit"),
    path("prices/<int:pk>/amounts/", views.price_list_prices, name="price_list_prices"),
    path("prices/<int:pk>/publish/", views.price_list_publish, name="price_list_publish"),
    path("prices/<int:pk>/discard/", views.price_list_discard, name="price_list_discard"),
]
