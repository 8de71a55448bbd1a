"""Telling coordinators there is something to answer: email over SMTP, SMS to a work phone,
or the console (the demo). Notifications carry a thread number and a link, never anything
the resident wrote."""

from __future__ import annotations

import smtplib
import sys
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from email.message import EmailMessage

from frontdoor.channels.senders import SmsSender
from frontdoor.models import Coordinator


class Notifier(ABC):
    @abstractmethod
    def notify(self, coordinator: Coordinator, subject: str, text: str) -> None: ...


@dataclass
class ConsoleNotifier(Notifier):
    """The demo: prints to the terminal running the worker."""

    def notify(self, coordinator: Coordinator, subject: str, text: str) -> None:
        print(f"[notify {coordinator.name}] {subject}: {text}", file=sys.stdout, flush=True)


@dataclass
class RecordingNotifier(Notifier):
    """Tests read what would have been sent."""

    sent: list[tuple[str, str, str]] = field(default_factory=list)

    def notify(self, coordinator: Coordinator, subject: str, text: str) -> None:
        self.sent.append((coordinator.key, subject, text))


@dataclass
class EmailNotifier(Notifier):
    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = None
    starttls: bool = True

    def notify(self, coordinator: Coordinator, subject: str, text: str) -> None:
        if not coordinator.email:
            raise ValueError(f"coordinator {coordinator.key} has no email")
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, coordinator.email, subject
        message.set_content(text)
        with smtplib.SMTP(self.host, self.port, timeout=10) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(message)


@dataclass
class SmsNotifier(Notifier):
    sms: SmsSender

    def notify(self, coordinator: Coordinator, subject: str, text: str) -> None:
        if not coordinator.work_phone:
            raise ValueError(f"coordinator {coordinator.key} has no work phone")
        self.sms.send(coordinator.work_phone, f"{subject}. {text}", f"notify-{coordinator.id}")
