from django import forms
from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from coordinators.models import Coordinator, Organization
from hokenfukushi.admin_scope import ScopedModelAdmin
from hokenfukushi.fiscal import current_fiscal_year, fiscal_year_label
from hokenfukushi.scope import can_edit_regions


class OwnTownOnlyForMunicipalStaff:
    """Municipal staff read every coordinator of their region on /coordinators/, but in the
    admin they work only on their own town's rows: other towns' rows are neither listed nor
    reachable (404), so nobody mistakes a read-only page for theirs to fix."""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        user = request.user
        if not user.is_superuser and user.role == user.Role.MUNICIPAL:
            return queryset.editable_by(user)
        return queryset


class TrainingYearFilter(admin.SimpleListFilter):
    title = _("養成研修修了年度")
    parameter_name = "training_fiscal_year"

    def lookups(self, request, model_admin):
        years = (
            model_admin.get_queryset(request)
            .filter(training_fiscal_year__lte=current_fiscal_year())  # no year not yet begun
            .order_by("training_fiscal_year")
            .values_list("training_fiscal_year", flat=True)
            .distinct()
        )
        return [(str(y), f"{fiscal_year_label(y)}（{y}）") for y in years]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(training_fiscal_year=self.value())
        return queryset


class OrganizationKindFilter(admin.ChoicesFieldListFilter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = _("所属機関の種別")


@admin.register(Organization)
class OrganizationAdmin(OwnTownOnlyForMunicipalStaff, ScopedModelAdmin):
    list_display = ["name", "kind", "department", "field", "municipality", "region"]
    list_filter = ["region", "municipality", "kind", "field"]
    search_fields = ["name", "department"]
    list_select_related = ["municipality", "region"]
    # The town says whose row it is; the region only has to be one the user reads (checked
    # against the town by Organization.clean).
    owner_fields = ("municipality",)


@admin.register(Coordinator)
class CoordinatorAdmin(OwnTownOnlyForMunicipalStaff, ScopedModelAdmin):
    list_display = [
        "name_and_kana",
        "organization",
        "profession",
        "training_year",
        "experience",
        "covered_towns",
        "is_active",
    ]
    list_filter = [
        "organization__municipality",
        ("organization__kind", OrganizationKindFilter),
        "base_profession",
        "experience",
        TrainingYearFilter,
        "is_active",
    ]
    search_fields = ["name", "kana"]
    list_select_related = ["organization__region"]
    owner_fields = ("organization",)
    fieldsets = [
        (None, {"fields": ["name", "kana", "organization", "is_base_center_staff", "is_active"]}),
        (
            _("資格と研修"),
            {
                "fields": [
                    "base_profession",
                    "base_profession_other",
                    "training_fiscal_year",
                    "training_course",
                ]
            },
        ),
        (_("経験値"), {"fields": ["experience", "medical_care_cases"]}),
        (_("担当"), {"fields": ["municipalities", "covers_whole_region"]}),
        (
            _("仕事用の連絡先（本人の同意がある場合だけ表示）"),
            {
                "fields": [
                    "work_email",
                    "work_phone",
                    "contact_visibility",
                    "contact_consent_on",
                ]
            },
        ),
        # the account is tied by the invitation only (/coordinators/), never chosen here
        (_("アカウント"), {"fields": ["account", "invited_at"]}),
        (None, {"fields": ["notes"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("municipalities")

    def get_readonly_fields(self, request, obj=None):
        # Covering the whole region makes a person count for every town's coverage: that is
        # the base center's decision, not one town's.
        always = ["account", "invited_at"]
        return always if can_edit_regions(request.user) else [*always, "covers_whole_region"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "municipalities":
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description=_("氏名（ふりがな）"), ordering="kana")
    def name_and_kana(self, obj: Coordinator) -> str:
        return format_html("{}<br><small>{}</small>", obj.name, obj.kana)

    @admin.display(description=_("基礎職"), ordering="base_profession")
    def profession(self, obj: Coordinator) -> str:
        return obj.base_profession_label

    @admin.display(description=_("養成研修修了年度"), ordering="training_fiscal_year")
    def training_year(self, obj: Coordinator) -> str:
        return f"{fiscal_year_label(obj.training_fiscal_year)}（{obj.training_fiscal_year}）"

    @admin.display(description=_("担当市町村"))
    def covered_towns(self, obj: Coordinator) -> str:
        if obj.covers_whole_region:
            return _("圏域全体（%(region)s）") % {"region": obj.organization.region.name}
        return "、".join(town.name for town in obj.municipalities.all()) or "—"
