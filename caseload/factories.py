"""factory-boy factories for count reports (tests, benchmarks)."""

import datetime as dt

import factory

from caseload.models import CountReport, ReportStatus
from hokenfukushi.factories import MunicipalityFactory
from hokenfukushi.fiscal import fiscal_year_of


class CountReportFactory(factory.django.DjangoModelFactory):
    """A draft report as of 1 April 2025; `CountReportFactory(approved=True)` for an approved
    one, `submitted=True` for a submitted one."""

    class Meta:
        model = CountReport

    municipality = factory.SubFactory(MunicipalityFactory)
    as_of = dt.date(2025, 4, 1)
    fiscal_year = factory.LazyAttribute(lambda report: fiscal_year_of(report.as_of))
    smid_children = 3
    medical_care_children = 2
    smid_adults = 10
    medical_care_adults = 1
    status = ReportStatus.DRAFT

    class Params:
        submitted = factory.Trait(
            status=ReportStatus.SUBMITTED,
            submitted_at=factory.LazyFunction(lambda: dt.datetime(2025, 5, 1, tzinfo=dt.UTC)),
        )
        approved = factory.Trait(
            status=ReportStatus.APPROVED,
            submitted_at=factory.LazyFunction(lambda: dt.datetime(2025, 5, 1, tzinfo=dt.UTC)),
            approved_at=factory.LazyFunction(lambda: dt.datetime(2025, 5, 8, tzinfo=dt.UTC)),
        )
