"""Work contact is shown only with consent, only inside the coordinator's region, and to the
base center alone when the coordinator chose so (coordinators.models.contact_is_shown)."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from coordinators.models import ContactVisibility, Viewer, contact_is_shown

viewers = st.builds(
    Viewer,
    region_id=st.one_of(st.none(), st.integers(1, 3)),
    is_center=st.booleans(),
    coordinator_id=st.one_of(st.none(), st.integers(1, 5)),
)


@given(
    viewer=viewers,
    record_id=st.integers(1, 5),
    region_id=st.integers(1, 3),
    visibility=st.sampled_from(ContactVisibility.values),
    consent=st.one_of(st.none(), st.just(dt.date(2025, 4, 1))),
)
def test_contact_rule(viewer, record_id, region_id, visibility, consent):
    shown = contact_is_shown(
        viewer=viewer,
        record_id=record_id,
        record_region_id=region_id,
        visibility=visibility,
        consent_on=consent,
    )
    if viewer.coordinator_id == record_id:
        assert shown  # one's own contact, always
    elif consent is None or viewer.region_id != region_id:
        assert not shown
    else:
        assert shown == (viewer.is_center or visibility == ContactVisibility.REGION)
