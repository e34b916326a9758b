"""Count reports in the admin: municipal staff enter and submit their own town's figures, the
base center approves (which locks them) or sends them back with a reason; CSV import with a
preview. The admin stays thin: every write goes through `caseload.services`."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from caseload import rules, services
from caseload.models import COUNT_AND_SUBSET_FIELDS, CountReport, ReportStatus
from hokenfukushi.admin_scope import ScopedModelAdmin, wareki_display
from hokenfukushi.fiscal import current_fiscal_year, fiscal_year_label, wareki
from hokenfukushi.scope import can_edit_anything


class CountReportForm(forms.ModelForm):
    # The version the user's copy was read at; a save based on an older copy is refused.
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = CountReport
        fields = ["municipality", "as_of", *COUNT_AND_SUBSET_FIELDS, "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and "expected_version" in self.fields:
            self.fields["expected_version"].initial = self.instance.version
        if "note" in self.fields:
            self.fields["note"].widget.attrs["rows"] = 3

    def clean(self):
        cleaned = super().clean()
        values = {name: cleaned.get(name) for name in COUNT_AND_SUBSET_FIELDS}
        for problem in rules.count_errors(values):
            if problem.field in self.fields and problem.field not in self.errors:
                self.add_error(problem.field, problem.message)
        if self.instance.pk:
            expected = cleaned.get("expected_version")
            current = CountReport.objects.filter(pk=self.instance.pk).values("version").first()
            if current is None or expected != current["version"]:
                changed_by, changed_at = services.last_change(self.instance)
                raise ValidationError(
                    str(
                        services.StaleReportError(
                            self.instance, changed_by=changed_by, changed_at=changed_at
                        )
                    )
                )
        return cleaned


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("差し戻しの理由"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "市町村の担当者に表示されます。氏名など個人が特定できる情報は書かないでください。"
        ),
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput)


class FiscalYearFilter(admin.SimpleListFilter):
    """年度 in 和暦 as the list column shows it, over the rows the user reads."""

    title = _("年度")
    parameter_name = "fiscal_year__exact"

    def lookups(self, request, model_admin):
        # ends at the current fiscal year: a mistyped future date is not a year to pick
        years = (
            model_admin.get_queryset(request)
            .filter(fiscal_year__lte=current_fiscal_year())
            .order_by("-fiscal_year")
            .values_list("fiscal_year", flat=True)
            .distinct()
        )
        return [(str(year), f"{fiscal_year_label(year)}（{year}）") for year in years]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(fiscal_year=self.value())
        return queryset


class SentBackFilter(admin.SimpleListFilter):
    """差し戻し: drafts the base center sent back, with the reason in the list."""

    title = _("差し戻し")
    parameter_name = "sent_back"

    def lookups(self, request, model_admin):
        return [("yes", _("差し戻された報告"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.sent_back()
        return queryset


MAX_SENT_BACK = 20  # listed above the change list; more is a matter for the filter


@admin.register(CountReport)
class CountReportAdmin(ScopedModelAdmin):
    form = CountReportForm
    change_form_template = "admin/caseload/countreport/change_form.html"
    # Status before the counts: it is what the approver scans for, and it must not fall off the
    # right edge of a laptop screen next to the filter column.
    list_display = [
        "municipality",
        "as_of_wareki",
        "fiscal_year_display",
        "status",
        *rules.COUNT_LABELS,
        "version",
    ]
    list_display_links = ["municipality", "as_of_wareki"]
    actions = ["submit_selected", "approve_selected"]

    class Media:
        css = {"all": ["css/admin_countreport.css"]}

    list_filter = ["status", SentBackFilter, FiscalYearFilter, "municipality"]
    search_fields = ["municipality__name", "municipality__code"]
    list_select_related = ["municipality"]
    readonly_fields = [
        "status",
        "fiscal_year_display",
        "submitted_by_name",
        "submitted_at_wareki",
        "approved_by_name",
        "approved_at_wareki",
        "reopen_reason",
        "version",
    ]
    fieldsets = [
        (None, {"fields": ["municipality", "as_of", "fiscal_year_display", "expected_version"]}),
        (
            _("在宅の人数"),
            {"fields": [*rules.COUNT_LABELS, *rules.SUBSET_LABELS]},
        ),
        (None, {"fields": ["note"]}),
        (
            _("手続き"),
            {
                "fields": [
                    "status",
                    "submitted_by_name",
                    "submitted_at_wareki",
                    "approved_by_name",
                    "approved_at_wareki",
                    "reopen_reason",
                    "version",
                ]
            },
        ),
    ]

    # --- a town's sent-back reports, with the reason, where it cannot be missed ---------------
    def changelist_view(self, request, extra_context=None):
        sent_back = []
        if not services.is_approver(request.user):
            sent_back = list(
                self.get_queryset(request).editable_by(request.user).sent_back()[:MAX_SENT_BACK]
            )
        return super().changelist_view(
            request, {**(extra_context or {}), "sent_back_reports": sent_back}
        )

    def get_list_display(self, request):
        """The 差し戻しの理由 column only while the list has a sent-back report."""
        columns = super().get_list_display(request)
        if self.get_queryset(request).sent_back().exists():
            at = columns.index("status") + 1
            columns = [*columns[:at], "sent_back_reason", *columns[at:]]
        return columns

    # --- scope: municipal staff work only with their own town's reports --------------------
    def get_queryset(self, request):
        return (
            CountReport.objects.in_worklist_of(request.user)
            .select_related("municipality", "submitted_by", "approved_by")
            .order_by(*CountReport._meta.ordering)
        )

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or not self.has_change_permission(request, obj):
            # the hidden version field only exists on an editable form
            fieldsets = [
                (
                    name,
                    {
                        **options,
                        "fields": [f for f in options["fields"] if f != "expected_version"],
                    },
                )
                for name, options in fieldsets
            ]
        return fieldsets

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return super().has_change_permission(request)
        return services.may(request.user, rules.Action.EDIT, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is None:
            return False  # no bulk delete: it would skip the workflow (approved reports lock)
        return services.may(request.user, rules.Action.DELETE, obj)

    # --- columns -------------------------------------------------------------------------
    @admin.display(description=_("集計基準日"), ordering="as_of")
    def as_of_wareki(self, obj):
        return wareki(obj.as_of)

    @admin.display(description=_("年度"), ordering="fiscal_year")
    def fiscal_year_display(self, obj):
        return fiscal_year_label(obj.fiscal_year) if obj.fiscal_year else "（基準日から決まります）"

    @admin.display(description=_("差し戻しの理由"))
    def sent_back_reason(self, obj):
        if obj.status == ReportStatus.DRAFT and obj.reopen_reason:
            return obj.reopen_reason
        return ""

    @admin.display(description=_("提出者"))
    def submitted_by_name(self, obj):
        return obj.submitted_by.display_name if obj.submitted_by else "—"

    @admin.display(description=_("提出日時"))
    def submitted_at_wareki(self, obj):
        return wareki_display(obj.submitted_at)

    @admin.display(description=_("承認者"))
    def approved_by_name(self, obj):
        return obj.approved_by.display_name if obj.approved_by else "—"

    @admin.display(description=_("承認日時"))
    def approved_at_wareki(self, obj):
        return wareki_display(obj.approved_at)

    # --- bulk 提出 (towns) and bulk 承認 (the base center), each confirmed first ---------------
    def has_submit_permission(self, request) -> bool:
        return can_edit_anything(request.user)

    def has_approve_permission(self, request) -> bool:
        return services.is_approver(request.user)

    @admin.action(description=_("選んだ報告を提出する"), permissions=["submit"])
    def submit_selected(self, request, queryset):
        return self._bulk_transition(request, queryset, rules.Action.SUBMIT)

    @admin.action(description=_("選んだ報告を承認する"), permissions=["approve"])
    def approve_selected(self, request, queryset):
        return self._bulk_transition(request, queryset, rules.Action.APPROVE)

    _BULK_TEXT = {
        rules.Action.SUBMIT: (
            "submit_selected",
            _("提出"),
            services.submit_reports,
            _("%(count)d件の報告を提出しました。基幹相談支援センターの承認を待っています。"),
        ),
        rules.Action.APPROVE: (
            "approve_selected",
            _("承認"),
            services.approve_reports,
            _("%(count)d件の報告を承認しました。差し戻すまで変更できません。"),
        ),
    }

    def _bulk_transition(self, request, queryset, action: rules.Action):
        name, verb, service, done = self._BULK_TEXT[action]
        reports = list(queryset.select_related("municipality").order_by("municipality__code"))
        allowed, refused = services.split_by_permission(
            user=request.user, reports=reports, action=action
        )
        if not allowed:
            messages.warning(
                request, _("選んだ報告の中に、今%(verb)sできるものはありません。") % {"verb": verb}
            )
            return None
        if request.POST.get("confirm") == "yes":
            try:
                changed = service(user=request.user, reports=allowed)
            except services.WorkflowError as refusal:
                messages.error(request, str(refusal))
            else:
                messages.success(request, done % {"count": len(changed)})
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("選んだ報告を%(verb)sしますか？") % {"verb": verb},
            "verb": verb,
            "action_name": name,
            "allowed": allowed,
            "refused": refused,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/caseload/countreport/bulk_confirm.html", context)

    # --- writes go through the services ------------------------------------------------------
    def save_model(self, request, obj, form, change):
        counts = {name: form.cleaned_data.get(name) for name in COUNT_AND_SUBSET_FIELDS}
        if change:
            saved = services.update_report(
                user=request.user,
                report=obj,
                expected_version=form.cleaned_data["expected_version"],
                counts=counts,
                as_of=form.cleaned_data["as_of"],
                note=form.cleaned_data.get("note", ""),
            )
        else:
            saved = services.create_report(
                user=request.user,
                municipality=form.cleaned_data["municipality"],
                as_of=form.cleaned_data["as_of"],
                counts=counts,
                note=form.cleaned_data.get("note", ""),
            )
        obj.pk, obj.version, obj.fiscal_year = saved.pk, saved.version, saved.fiscal_year
        obj._state.adding = False

    def delete_model(self, request, obj):
        services.delete_draft(user=request.user, report=obj)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except services.StaleReportError:
            # Someone saved between our form check and our write: the transaction rolled back;
            # show the form again, which now reports the newer version and keeps the input.
            return super().changeform_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context.update(self._workflow_context(request, obj))
            # the heading says which state this version is in (never 「過去の版」)
            context["title"] = _("%(name)s（%(status)s・第%(version)d版）") % {
                "name": self.model._meta.verbose_name,
                "status": ReportStatus(obj.status).label,
                "version": obj.version,
            }
        else:
            context["can_submit"] = can_edit_anything(request.user)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _after_save(self, request, obj, response):
        if "_save_and_submit" in request.POST and obj.pk:
            return HttpResponseRedirect(reverse("admin:caseload_countreport_submit", args=[obj.pk]))
        return response

    def response_add(self, request, obj, post_url_continue=None):
        return self._after_save(request, obj, super().response_add(request, obj, post_url_continue))

    def response_change(self, request, obj):
        return self._after_save(request, obj, super().response_change(request, obj))

    def _workflow_context(self, request, report: CountReport) -> dict:
        user = request.user
        context = {
            "report": report,
            "can_submit": services.may(user, rules.Action.SUBMIT, report),
            "can_approve": services.may(user, rules.Action.APPROVE, report),
            "can_reopen": services.may(user, rules.Action.REOPEN, report),
        }
        if report.status != ReportStatus.DRAFT or context["can_submit"]:
            previous, flags = services.year_over_year_flags_for(report)
            context.update(previous_report=previous, year_over_year_flags=flags)
        return context

    # --- workflow pages ----------------------------------------------------------------------
    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("import/", wrap(self.import_view), name="caseload_countreport_import"),
            path(
                "import/template.csv",
                wrap(self.import_template_view),
                name="caseload_countreport_import_template",
            ),
            path(
                "import/template.xlsx",
                wrap(self.import_template_xlsx_view),
                name="caseload_countreport_import_template_xlsx",
            ),
            path(
                "<int:object_id>/submit/",
                wrap(self.transition_view),
                {"action": rules.Action.SUBMIT},
                name="caseload_countreport_submit",
            ),
            path(
                "<int:object_id>/approve/",
                wrap(self.transition_view),
                {"action": rules.Action.APPROVE},
                name="caseload_countreport_approve",
            ),
            path(
                "<int:object_id>/reopen/",
                wrap(self.transition_view),
                {"action": rules.Action.REOPEN},
                name="caseload_countreport_reopen",
            ),
            *super().get_urls(),
        ]

    _TRANSITION_TEXT = {
        rules.Action.SUBMIT: (
            _("提出する"),
            _("提出しました。基幹相談支援センターの承認を待っています。"),
        ),
        rules.Action.APPROVE: (
            _("承認する"),
            _("承認しました。この報告は差し戻すまで変更できません。"),
        ),
        rules.Action.REOPEN: (_("差し戻す"), _("差し戻しました。報告は下書きに戻りました。")),
    }

    def transition_view(self, request, object_id: int, action: rules.Action):
        report = self.get_queryset(request).filter(pk=object_id).first()
        if report is None:
            raise Http404
        change_url = reverse("admin:caseload_countreport_change", args=[report.pk])
        if not services.may(request.user, action, report):
            messages.error(request, _("この報告は今の状態ではこの操作ができません。"))
            return HttpResponseRedirect(change_url)
        title, done = self._TRANSITION_TEXT[action]
        reopen_form = None
        if action == rules.Action.REOPEN:
            reopen_form = ReopenForm(
                request.POST or None, initial={"expected_version": report.version}
            )
        if request.method == "POST" and (reopen_form is None or reopen_form.is_valid()):
            try:
                self._transition(request, report, action, reopen_form)
            except services.WorkflowError as refused:
                messages.error(request, str(refused))
            else:
                messages.success(request, done)
            return HttpResponseRedirect(change_url)
        previous, flags = services.year_over_year_flags_for(report)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"{report.municipality} {wareki(report.as_of)}: {title}",
            "report": report,
            "action": str(action),
            "action_label": title,
            "reopen_form": reopen_form,
            "previous_report": previous,
            "year_over_year_flags": flags,
            "rows": _comparison_rows(report, previous, flags),
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/caseload/countreport/transition.html", context)

    @staticmethod
    def _transition(request, report: CountReport, action: rules.Action, reopen_form) -> None:
        try:
            expected = int(request.POST.get("expected_version", ""))
        except ValueError:
            expected = -1  # no version: treat as stale rather than guess
        if action == rules.Action.SUBMIT:
            services.submit_report(user=request.user, report=report, expected_version=expected)
        elif action == rules.Action.APPROVE:
            services.approve_report(user=request.user, report=report, expected_version=expected)
        else:
            services.reopen_report(
                user=request.user,
                report=report,
                expected_version=expected,
                reason=reopen_form.cleaned_data["reason"],
            )

    # --- CSV import ----------------------------------------------------------------------------
    def import_view(self, request):
        from caseload.admin_import import import_view

        return import_view(self, request)

    def import_template_view(self, request):
        from caseload.admin_import import import_template_view

        return import_template_view(request)

    def import_template_xlsx_view(self, request):
        from caseload.admin_import import import_template_xlsx_view

        return import_template_xlsx_view(request)


def _comparison_rows(report: CountReport, previous: CountReport | None, flags) -> list[dict]:
    flagged = {flag.field for flag in flags}
    return [
        {
            "label": label,
            "current": getattr(report, name),
            "previous": getattr(previous, name) if previous else None,
            "flagged": name in flagged,
        }
        for name, label in rules.ALL_LABELS.items()
    ]
