from django.contrib import admin

from .models import MapLoad, OrgUnit


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "valid_from", "valid_to"]
    list_filter = ["level", "kind"]
    search_fields = ["name", "search_name", "code", "official_code"]
    raw_id_fields = ["parent"]
    filter_horizontal = ["predecessors"]
    readonly_fields = ["path", "depth", "level", "source"]


@admin.register(MapLoad)
class MapLoadAdmin(admin.ModelAdmin):
    list_display = ["loaded_at", "source", "version", "data_version", "added", "changed", "retired"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
