from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from hokenfukushi.accounts import account_grant_errors, apply_role, grantable_roles
from hokenfukushi.admin_scope import ScopedModelAdmin, ScopedTabularInline, scoped_list_filter
from hokenfukushi.codes import CodeField, restored_code_message
from hokenfukushi.models import (
    Council,
    LocalResource,
    Municipality,
    PopulationSnapshot,
    Region,
    User,
)
from hokenfukushi.scope import can_edit_regions

admin.site.site_header = _("医療的ケア児等コーディネーター 地域ネットワーク 管理")
admin.site.site_title = _("hokenfukushi 管理")
admin.site.index_title = _("データ入力・管理")


class CodeFieldsAdminMixin:
    """Admin forms where a 団体コード is typed: a code that lost its leading zero is read as the
    padded code when that one checks (`CodeField`), and the saved page says so."""

    code_fields: tuple[str, ...] = ()

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in self.code_fields:
            kwargs["form_class"] = CodeField
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        for name in self.code_fields:
            restored = getattr(form.fields.get(name), "restored", None)
            if restored:
                messages.info(request, restored_code_message(*restored))


@admin.register(Region)
class RegionAdmin(CodeFieldsAdminMixin, ScopedModelAdmin):
    code_fields = ("prefecture_code",)
    list_display = ["name", "prefecture_name", "center_name"]
    search_fields = ["name", "kana"]

    def has_add_permission(self, request, *args):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


class PopulationInline(ScopedTabularInline):
    model = PopulationSnapshot
    extra = 0
    fields = ["as_of", "population", "source"]


@admin.register(Municipality)
class MunicipalityAdmin(CodeFieldsAdminMixin, ScopedModelAdmin):
    code_fields = ("code",)
    list_display = [
        "code",
        "name",
        "kind",
        "region",
        "latest_population",
        "latest_population_as_of",
    ]
    list_filter = ["region", "kind"]
    search_fields = ["code", "name", "kana"]
    inlines = [PopulationInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("region").with_latest_population()

    @admin.display(description=_("人口"), ordering="population")
    def latest_population(self, obj):
        return None if obj.population is None else f"{obj.population:,}"

    @admin.display(description=_("人口基準日"), ordering="population_as_of")
    def latest_population_as_of(self, obj):
        return obj.population_as_of

    def get_readonly_fields(self, request, obj=None):
        # Town staff may edit their own town only for its population rows (the inline): the
        # town's code, name and reading, kind and region are the region's to set. Without this
        # the region field offered them no choice, so every save of their own town failed.
        if obj is not None and not can_edit_regions(request.user):
            return ("code", "name", "kana", "kind", "region")
        return super().get_readonly_fields(request, obj)

    def has_add_permission(self, request, *args):
        # A town is region-level for adding (its staff edit it, but never create towns).
        return request.user.is_staff and can_edit_regions(request.user)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            response.context_data["population_total"] = sum(
                town.population or 0 for town in changelist.result_list
            )
        return response


@admin.register(PopulationSnapshot)
class PopulationSnapshotAdmin(ScopedModelAdmin):
    list_display = ["municipality", "as_of", "population", "source"]
    list_filter = ["municipality__region", "municipality"]
    date_hierarchy = "as_of"
    list_select_related = ["municipality"]


class AccountFormMixin:
    """Checks every grant against `account_grant_errors` for the signed-in admin."""

    actor: User

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "role" in self.fields:
            allowed = set(grantable_roles(self.actor))
            self.fields["role"].choices = [
                c for c in self.fields["role"].choices if c[0] in allowed
            ]
        if not self.actor.is_superuser:
            if "region" in self.fields:
                self.fields["region"].queryset = Region.objects.filter(pk=self.actor.region_id)
            if "municipality" in self.fields:
                self.fields["municipality"].queryset = Municipality.objects.filter(
                    region_id=self.actor.region_id
                )

    def clean(self):
        cleaned = super().clean()
        errors = account_grant_errors(
            actor=self.actor,
            role=cleaned.get("role", User.Role.NONE),
            region=cleaned.get("region"),
            municipality=cleaned.get("municipality"),
            is_superuser=bool(cleaned.get("is_superuser")),
        )
        if errors:
            raise ValidationError({k: v for k, v in errors.items() if k in self.fields} or errors)
        return cleaned


class AccountCreationForm(AccountFormMixin, AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "last_name", "first_name", "email", "role", "region", "municipality")


class AccountChangeForm(AccountFormMixin, UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"


@admin.register(User)
class AccountAdmin(DjangoUserAdmin):
    """Region admins manage their own region's accounts; only superusers make superusers."""

    form = AccountChangeForm
    add_form = AccountCreationForm
    list_display = [
        "username",
        "last_name",
        "first_name",
        "role",
        "region",
        "municipality",
        "is_active",
    ]
    list_filter = ["role", "is_active", "region", "municipality"]
    list_select_related = ["region", "municipality"]
    search_fields = ["username", "last_name", "first_name", "email"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def get_list_filter(self, request):
        # As everywhere in the admin: a region's admin sees no other region's or town's name.
        return [scoped_list_filter(self.model, entry) for entry in self.list_filter]

    def _manages_accounts(self, request) -> bool:
        user = request.user
        return (
            user.is_active
            and user.is_staff
            and (user.is_superuser or user.role == User.Role.REGION_ADMIN)
        )

    def has_module_permission(self, request):
        return self._manages_accounts(request)

    def has_view_permission(self, request, obj=None):
        return self._manages_accounts(request) and (
            obj is None or self.get_queryset(request).filter(pk=obj.pk).exists()
        )

    has_change_permission = has_view_permission

    def has_add_permission(self, request):
        return self._manages_accounts(request)

    def has_delete_permission(self, request, obj=None):
        # Accounts are deactivated, not deleted, so their history stays attributable.
        return request.user.is_superuser

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # As in ScopedAdminMixin: an account outside the region is "not found", not redirected.
        raise Http404

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return (
                (None, {"fields": ("username", "password1", "password2")}),
                (_("氏名・連絡先"), {"fields": ("last_name", "first_name", "email")}),
                (_("役割と担当"), {"fields": ("role", "region", "municipality")}),
            )
        fieldsets = [
            (None, {"fields": ("username", "password")}),
            (_("氏名・連絡先"), {"fields": ("last_name", "first_name", "email")}),
            (_("役割と担当"), {"fields": ("role", "region", "municipality", "is_active")}),
            (_("日時"), {"fields": ("last_login", "date_joined")}),
        ]
        if request.user.is_superuser:
            fieldsets.append((_("スーパーユーザー"), {"fields": ("is_superuser",)}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        return ("last_login", "date_joined") if obj else ()

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        return type(form_class.__name__, (form_class,), {"actor": request.user})

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        apply_role(
            user=obj,
            role=form.cleaned_data.get("role", obj.role),
            region=form.cleaned_data.get("region"),
            municipality=form.cleaned_data.get("municipality"),
        )


# --- councils (協議の場) and local resources (地域資源): what the dashboard's gaps ask to fix ---


class CouncilAdminForm(forms.ModelForm):
    class Meta:
        model = Council
        fields = ["region", "name", "form", "municipalities", "status", "status_date", "notes"]

    def clean(self):
        cleaned = super().clean()
        region, towns = cleaned.get("region"), cleaned.get("municipalities")
        if region is not None and towns is not None:
            outside = [town.name for town in towns if town.region_id != region.pk]
            if outside:
                self.add_error(
                    "municipalities",
                    _("構成市町村は%(region)sの市町村から選んでください（対象外: %(towns)s）。")
                    % {"region": region.name, "towns": "、".join(outside)},
                )
        return cleaned


@admin.register(Council)
class CouncilAdmin(ScopedModelAdmin):
    form = CouncilAdminForm
    list_display = ["name", "region", "form", "status", "status_date", "member_towns"]
    list_filter = ["status", "form", "region"]
    search_fields = ["name", "municipalities__name"]
    filter_horizontal = ["municipalities"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("region")
            .prefetch_related("municipalities")
        )

    @admin.display(description=_("構成市町村"))
    def member_towns(self, obj):
        return "、".join(town.name for town in obj.municipalities.all())


@admin.register(LocalResource)
class LocalResourceAdmin(ScopedModelAdmin):
    list_display = [
        "name",
        "kind",
        "municipality",
        "serves_children",
        "serves_adults",
        "accepts_medical_care",
        "is_multifunction",
    ]
    list_filter = [
        "kind",
        "accepts_medical_care",
        "serves_children",
        "serves_adults",
        "municipality",
    ]
    search_fields = ["name", "notes", "municipality__name"]
    list_select_related = ["municipality"]
