"""Account invitations through a real SMTP server: the message, the link, the standard
set-password form, single use, expiry, resend, revoke; the operators' command."""

import datetime as dt
import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from coordinators.factories import CoordinatorFactory
from coordinators.models import AccountStatus, Coordinator, account_status
from hokenfukushi.models import User

PASSWORD = "tsunagari-2025-kodama"


@pytest.fixture
def invitee(town):
    return CoordinatorFactory(
        name="招待 花子（テスト）",
        organization__municipality=town,
        work_email="hanako@example.jp",
    )


def _link(message) -> str:
    body = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"https?://\S+/accounts/invitation/\S+/", body).group(0)


def _path(link: str) -> str:
    return "/" + link.split("/", 3)[3]


def _send(client: Client, invitee, action="invite"):
    return client.post(f"/coordinators/{invitee.pk}/account/{action}/")


def test_invitation_mail_sets_a_password_and_signs_in(smtp_server, client_for, invitee):
    center = client_for("region_admin")
    confirm = center.get(f"/coordinators/{invitee.pk}/account/invite/")
    assert "hanako@example.jp" in confirm.text and "送信する" in confirm.text
    assert smtp_server.messages == []  # nothing is sent before the confirmation

    response = _send(center, invitee)
    assert response.status_code == 302
    (message,) = smtp_server.to("hanako@example.jp")
    assert "医ケアコーディネーター ネットワークへのご招待" in message["Subject"]
    assert message.get_content_charset() == "utf-8"
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "招待 花子（テスト） 様" in body and "ユーザー名: hanako@example.jp" in body

    link = _link(message)
    visitor = Client()
    page = visitor.get(_path(link), follow=True)
    assert 'name="new_password1"' in page.text and 'name="new_password2"' in page.text
    form_url = page.redirect_chain[-1][0]
    done = visitor.post(
        form_url, {"new_password1": PASSWORD, "new_password2": PASSWORD}, follow=True
    )
    assert done.redirect_chain[-1][0] == "/me/"
    assert "マイページ" in done.text and "パスワードを設定しました" in done.text
    account = User.objects.get(username="hanako@example.jp")
    assert account.role == User.Role.COORDINATOR and account.check_password(PASSWORD)
    signed_in = Client().post(
        "/accounts/login/", {"username": "hanako@example.jp", "password": PASSWORD}
    )
    assert signed_in.status_code == 302 and signed_in["Location"] == "/"

    second = Client().get(_path(link), follow=True)
    assert "このリンクは使えません" in second.text and "new_password1" not in second.text


def test_mismatched_passwords_are_refused_on_the_field(smtp_server, client_for, invitee):
    _send(client_for("region_admin"), invitee)
    visitor = Client()
    page = visitor.get(_path(_link(smtp_server.messages[0])), follow=True)
    response = visitor.post(
        page.redirect_chain[-1][0], {"new_password1": PASSWORD, "new_password2": "other-pass-1234"}
    )
    assert response.status_code == 200 and "一致しません" in response.text
    invitee.refresh_from_db()
    assert account_status(invitee.account) == AccountStatus.INVITED


def test_resend_makes_the_old_link_useless(smtp_server, client_for, invitee):
    center = client_for("region_admin")
    _send(center, invitee)
    _send(center, invitee, "resend")
    old, new = (_path(_link(m)) for m in smtp_server.messages)
    assert "このリンクは使えません" in Client().get(old, follow=True).text
    assert "new_password1" in Client().get(new, follow=True).text


def test_revoke_makes_every_link_useless(smtp_server, client_for, invitee):
    center = client_for("region_admin")
    _send(center, invitee)
    page = center.get(f"/coordinators/{invitee.pk}/account/revoke/")
    assert "取り消す" in page.text
    center.post(f"/coordinators/{invitee.pk}/account/revoke/")
    invitee.refresh_from_db()
    assert account_status(invitee.account) == AccountStatus.DISABLED
    assert (
        "このリンクは使えません"
        in Client().get(_path(_link(smtp_server.messages[0])), follow=True).text
    )


def test_an_expired_link_is_refused(smtp_server, client_for, invitee, settings, monkeypatch):
    _send(client_for("region_admin"), invitee)
    link = _path(_link(smtp_server.messages[0]))
    from coordinators.invitations import invitation_tokens

    later = dt.datetime.now() + dt.timedelta(days=settings.ACCOUNT_INVITATION_DAYS, hours=1)
    monkeypatch.setattr(invitation_tokens, "_now", lambda: later)
    page = Client().get(link, follow=True)
    assert page.status_code == 200 and "このリンクは使えません" in page.text


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/invitation/Zm9v/forged-token/",
        "/accounts/invitation/!!!/x-y/",
        "/accounts/invitation/MQ/set-password/",
    ],
)
def test_forged_links_get_a_clear_page(db, path):
    response = Client().get(path, follow=True)
    assert response.status_code == 200 and "このリンクは使えません" in response.text


def test_a_refused_recipient_is_reported_and_tried_again(smtp_server, client_for, invitee):
    smtp_server.rejected.add("hanako@example.jp")
    response = _send(client_for("region_admin"), invitee)
    assert response.status_code == 302
    page = client_for("region_admin").get("/coordinators/")
    assert smtp_server.messages == []
    invitee.refresh_from_db()
    assert invitee.invited_at is None  # so the command sends it on its next run
    smtp_server.rejected.clear()
    call_command("send_account_invitations", stdout=io.StringIO())
    assert len(smtp_server.to("hanako@example.jp")) == 1
    assert page.status_code == 200


def test_the_roster_shows_the_account_and_the_actions(client_for, invitee):
    page = client_for("region_admin").get("/coordinators/")
    assert f"/coordinators/{invitee.pk}/account/invite/" in page.text
    for role in ("municipal_user", "coordinator_user", "prefecture_user"):
        assert "/account/invite/" not in client_for(role).get("/coordinators/").text


@pytest.mark.parametrize(
    "role,expected",
    [
        ("municipal_user", 403),
        ("other_town_user", 403),
        ("prefecture_user", 403),
        ("coordinator_user", 403),
        ("other_region_coordinator", 403),
        ("other_region_user", 403),
    ],
)
def test_only_the_center_sends_invitations(smtp_server, client_for, invitee, role, expected):
    assert _send(client_for(role), invitee).status_code == expected
    assert smtp_server.messages == [] and Coordinator.objects.get(pk=invitee.pk).account is None


def test_another_regions_center_gets_404(smtp_server, client_for, invitee, far_town):
    from hokenfukushi.factories import RegionAdminFactory

    far_center = client_for(RegionAdminFactory(region=far_town.region, username="far_center"))
    assert far_center.get(f"/coordinators/{invitee.pk}/account/invite/").status_code == 404
    assert _send(far_center, invitee).status_code == 404
    assert smtp_server.messages == []


def test_an_account_in_use_is_not_invited_again(smtp_server, client_for, coordinator_user):
    record = coordinator_user.coordinator_record
    response = client_for("region_admin").post(
        f"/coordinators/{record.pk}/account/invite/", follow=True
    )
    assert "この操作はできません" in response.text and smtp_server.messages == []


def test_a_used_then_disabled_account_is_not_reopened_by_invitation(
    smtp_server, client_for, coordinator_user
):
    coordinator_user.is_active = False
    coordinator_user.save()
    record = coordinator_user.coordinator_record
    response = client_for("region_admin").post(
        f"/coordinators/{record.pk}/account/resend/", follow=True
    )
    assert "招待では再開しません" in response.text and smtp_server.messages == []
    coordinator_user.refresh_from_db()
    assert not coordinator_user.is_active


# --- the command -------------------------------------------------------------------------------


def test_command_invites_everyone_once_with_japanese_counts(smtp_server, town, far_town, capsys):
    CoordinatorFactory(organization__municipality=town, work_email="a@example.jp")
    CoordinatorFactory(organization__municipality=far_town, work_email="b@example.jp")
    CoordinatorFactory(organization__municipality=town, work_email="")  # no e-mail
    CoordinatorFactory(organization__municipality=town, work_email="c@example.jp", is_active=False)
    call_command("send_account_invitations")
    out = capsys.readouterr().out
    assert "招待を送信: 2 件" in out and "送信できず: 0 件" in out
    assert sorted(a for m in smtp_server.messages for a in m.envelope_recipients) == [
        "a@example.jp",
        "b@example.jp",
    ]
    link = _link(smtp_server.to("a@example.jp")[0])
    assert link.startswith("http://127.0.0.1:8000/accounts/invitation/")  # SITE_URL

    call_command("send_account_invitations")
    assert "招待を送信: 0 件" in capsys.readouterr().out
    assert len(smtp_server.messages) == 2


def test_command_limited_to_a_region(smtp_server, town, far_town, capsys):
    CoordinatorFactory(organization__municipality=town, work_email="a@example.jp")
    CoordinatorFactory(organization__municipality=far_town, work_email="b@example.jp")
    call_command("send_account_invitations", region=far_town.code)
    assert [m.envelope_recipients for m in smtp_server.messages] == [["b@example.jp"]]
    with pytest.raises(CommandError, match="圏域が見つかりません"):
        call_command("send_account_invitations", region="999999")


def test_command_reports_refused_recipients(smtp_server, town, capsys):
    CoordinatorFactory(organization__municipality=town, work_email="bad@example.jp")
    smtp_server.rejected.add("bad@example.jp")
    with pytest.raises(CommandError, match="1 件の招待を送れませんでした"):
        call_command("send_account_invitations")
    assert "送信できず: 1 件" in capsys.readouterr().out


# --- password reset for every account -----------------------------------------------------------


def test_password_reset_in_japanese(smtp_server, municipal_user):
    municipal_user.email = "town@example.jp"
    municipal_user.save()
    client = Client()
    form = client.get("/accounts/password_reset/")
    assert "パスワードの再設定" in form.text
    client.post("/accounts/password_reset/", {"email": "town@example.jp"})
    (message,) = smtp_server.to("town@example.jp")
    assert "パスワードの再設定" in message["Subject"]
    body = message.get_body(preferencelist=("plain",)).get_content()
    path = "/" + re.search(r"https?://\S+/accounts/reset/\S+/", body).group(0).split("/", 3)[3]
    page = client.get(path, follow=True)
    client.post(page.redirect_chain[-1][0], {"new_password1": PASSWORD, "new_password2": PASSWORD})
    municipal_user.refresh_from_db()
    assert municipal_user.check_password(PASSWORD)
    assert "このリンクは使えません" in Client().get(path, follow=True).text
