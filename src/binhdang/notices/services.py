"""Every notice and every notification e-mail comes from `notify`: one notice per recipient in
the application and, to those with an address, the matching e-mail. Nothing else sends them.

Callers inside a transaction (a report submitted, a task given) use `notify_after_commit`: the
notices are written, and the e-mails sent, once the change is saved, through the task queue
(`TASKS_BACKEND`), so a refused or rolled-back action tells nobody. Background tasks that are
already off the page's path (reminders, a round's opening) call `notify` directly."""

import datetime
import json
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone, translation

from binhdang.accounts import permissions

from . import messages
from .models import Notice, NoticeKind

# Accounts carry no language of their own, and the officers read Vietnamese: e-mails are written
# in it whatever language the sending process runs in. Notices follow each reader's choice.
EMAIL_LANGUAGE = "vi"


@dataclass(frozen=True)
class Sent:
    notices: list[Notice]
    emails: int


def site_url(path: str) -> str:
    """An address for an e-mail: absolute when SITE_URL is configured, else the path."""
    base = getattr(settings, "SITE_URL", "") or ""
    return f"{base.rstrip('/')}{path}"


def _stored(params: dict) -> dict:
    """The parameters as the database keeps them (dates as ISO text), so that a notice reads the
    same before and after it is saved."""
    return json.loads(json.dumps(params, cls=DjangoJSONEncoder))


def _email(notice: Notice) -> EmailMessage:
    person = notice.recipient
    subject = messages.subject(notice.kind, notice.params)
    body = messages.body(
        notice.kind,
        notice.params,
        name=person.get_full_name() or person.username,
        url=site_url(notice.link),
    )
    return EmailMessage(subject, body, to=[person.email])


def notify(kind: NoticeKind | str, recipients, *, link: str, mailer=None, **params) -> Sent:
    """Tell each active recipient (once, however often listed) of an event: a notice linking to
    `link`, and an e-mail to those with an address (through `mailer`, an open connection that
    many events share, or a new one)."""
    kind = NoticeKind(kind)
    params = _stored(params)
    people = {person.pk: person for person in recipients if person.is_active}
    notices = Notice.objects.bulk_create(
        Notice(recipient=person, kind=kind, params=params, link=link) for person in people.values()
    )
    with translation.override(EMAIL_LANGUAGE):
        emails = [_email(notice) for notice in notices if notice.recipient.email]
    if emails:
        (mailer or mailers.default).send_messages(emails)
    return Sent(notices, len(emails))


def notify_after_commit(kind: NoticeKind | str, recipients, *, link: str, **params) -> None:
    """`notify` once the current transaction commits, through the task queue."""
    ids = [person.pk for person in recipients]
    if not ids:
        return
    kind, params = str(NoticeKind(kind)), _stored(params)
    from .tasks import deliver

    transaction.on_commit(lambda: deliver.enqueue(kind, ids, link, params))


def open_notice(user, pk) -> Notice:
    """The user's notice, marked read (the first time it is opened); 404 for anyone else's."""
    notice = permissions.get_notice(user, pk)
    if notice.read_at is None:
        notice.read_at = timezone.now()
        Notice.objects.filter(pk=notice.pk, read_at=None).update(read_at=notice.read_at)
    return notice


def mark_all_read(user) -> int:
    """Mark every unread notice of the user read; returns how many."""
    return permissions.notices_for(user).filter(read_at=None).update(read_at=timezone.now())


def clean(days: int | None = None) -> int:
    """Delete notices read more than `days` (NOTICE_KEEP_DAYS) days ago; unread ones stay."""
    days = settings.NOTICE_KEEP_DAYS if days is None else days
    cutoff = timezone.now() - datetime.timedelta(days=days)
    deleted, _by_model = Notice.objects.filter(read_at__lt=cutoff).delete()
    return deleted
