"""The thread list's rows, as the page shows them and the JSON poll sends them: one source,
so the list looks the same before and after static/inbox.js updates it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import g, url_for

from frontdoor.inbox import unread
from frontdoor.models import Author, Message, Resident, Thread, ThreadState
from frontdoor.outgoing import channel_of

STATE_WORDS = {ThreadState.BOT: "With the front door", ThreadState.WAITING: "Waiting",
               ThreadState.WITH_COORDINATOR: "Open", ThreadState.CLOSED: "Closed"}


def resident_label(resident: Resident) -> str:
    """How the inbox names a resident: the name a coordinator recorded, and how their
    channel names them (every page, as the template global `resident_label`, and the poll)."""
    channel = channel_of(resident).resident_label(resident.address, resident.id)
    name = resident.person.name
    return f"{name} ({channel})" if name else channel


def _heading(words: str) -> str:
    """Words as they start a line: "web chat" is "Web chat", "SMS" stays "SMS"."""
    return words[:1].upper() + words[1:]


def author_of(message: Message) -> str:
    """Who a message is from, as the inbox names them (a resident's story, a thread's poll)."""
    if message.author == Author.RESIDENT:
        return "Resident"
    if message.author == Author.BOT:
        return "Front door"
    return message.coordinator.name if message.coordinator else "Coordinator"


def waited(since: datetime | None, now: datetime) -> str:
    if since is None:
        return "–"
    minutes = int((now - since).total_seconds() // 60)
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 1440:
        return f"{minutes // 60} h {minutes % 60} min"
    return f"{minutes // 1440} days"


def tags_for(thread: Thread) -> list[dict[str, Any]]:
    """The words a thread's row carries, most pressing first; `urgent` ones are shown red."""
    tags = []
    if thread.urgent:
        crisis = f": {thread.crisis.replace('_', ' ')}" if thread.crisis else ""
        tags.append({"text": f"Urgent{crisis}", "urgent": True})
        if not thread.acknowledged_at:
            tags.append({"text": "Not acknowledged", "urgent": False})
        if thread.alert_grouped:
            tags.append({"text": "One of several urgent chats from one address",
                         "urgent": False})
    if thread.overdue_at:
        tags.append({"text": "Promised reply time passed", "urgent": False})
    if thread.check_in and not thread.urgent:
        tags.append({"text": "Check in", "urgent": False})
    tags.append({"text": STATE_WORDS[thread.state], "urgent": False})
    return tags


def list_rows(threads: list[Thread], now: datetime) -> list[dict[str, Any]]:
    """The thread list as the page shows it and the JSON poll sends it: the same rows."""
    counts = unread.unread_counts(g.me, (t.id for t in threads))
    rows = []
    for thread in threads:
        rows.append({
            "id": thread.id, "label": resident_label(thread.resident),
            "url": url_for("inbox.thread_page", thread_id=thread.id),
            "resident_url": url_for("inbox.resident_page",
                                    resident_id=thread.resident.person.id),
            "unread": counts.get(thread.id, 0), "tags": tags_for(thread),
            "waited": waited(thread.handed_off_at, now),
            "need": (thread.need or "–").replace("_", " "),
            "channel": _heading(channel_of(thread.resident).label),
            "ward": thread.ward.name if thread.ward else "Not known",
            "with": thread.coordinator.name if thread.coordinator else "–",
        })
    return rows


