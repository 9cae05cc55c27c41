"""The queued half of `services.notify_after_commit`."""

from django.tasks import task

from binhdang.accounts.models import User

from . import services


@task
def deliver(kind: str, recipient_ids: list[int], link: str, params: dict) -> int:
    """Write the notices and send the e-mails of one event; returns the e-mails sent."""
    recipients = User.objects.filter(pk__in=recipient_ids).order_by("pk")
    return services.notify(kind, recipients, link=link, **params).emails
