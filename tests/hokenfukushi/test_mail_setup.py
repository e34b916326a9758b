"""Mail goes through Django's mail API to a real SMTP server (the suite's aiosmtpd), in UTF-8."""

from django.core import mail

from hokenfukushi import settings as project_settings


def test_a_japanese_message_arrives_at_the_smtp_server_intact(smtp_server, settings):
    sent = mail.send_mail(
        "【児玉郡市】第4回 連絡会のご案内",
        "令和8年1月8日（木）14時から、本庄市役所で開催します。",
        settings.DEFAULT_FROM_EMAIL,
        ["coordinator01@example.jp"],
    )

    assert sent == 1
    [message] = smtp_server.messages
    assert message["Subject"] == "【児玉郡市】第4回 連絡会のご案内"
    assert message.envelope_recipients == ["coordinator01@example.jp"]
    assert "本庄市役所" in message.get_content()


def test_an_address_the_server_rejects_raises_so_the_sender_can_record_it(smtp_server):
    import smtplib

    import pytest

    smtp_server.rejected.add("nobody@example.jp")
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        mail.send_mail("件名", "本文", None, ["nobody@example.jp"])
    assert smtp_server.messages == []


def test_email_url_configures_the_backend(monkeypatch):
    import environ

    config = environ.Env.email_url_config("smtp+tls://user:pass@mail.example.jp:587")
    assert config["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert config["EMAIL_HOST"] == "mail.example.jp"
    assert config["EMAIL_USE_TLS"] is True
    # development default: printed to the console, never sent
    assert (
        project_settings.MAILERS["default"]["BACKEND"]
        == "django.core.mail.backends.console.EmailBackend"
    )
