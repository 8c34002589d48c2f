"""The periodic duties of the two-host scenario (`tests/scaleout_hosts.py`): reminders (提醒)
and OA pushes, made to happen during the run and counted where they arrive.

Reminders fall due hours or days after a ticket under the school's policy. The run's
`calendar.toml` changes only documented `[policy]` numbers: no half-way reminder, and two lead
times (`reminder_lead_minutes`):
- one chosen at the start so that the reminder of the response deadline of every ticket
  dispatched before `T` (a minute or two into the run) is due at `T`, all at once: tickets
  accepted on one working day before the cut-off share that deadline (the end of the day), and
  a ticket accepted after `T` has no reminder before its acceptance;
- 1439 minutes (24 h less one minute), so that a priority ticket (基本生活保障, formal reply
  within 24 natural hours; a sixth of the letters say 没有热水) has its reminder one minute after
  its dispatch: reminders fall due all through the run, in many sweeps.
The sweep (every minute, under a job lease) sends them; the run waits for a sweep after `T`.
Which reminders were due is computed again here from the tickets' deadlines, independently of
the sweep's own bookkeeping.

OA pushes: `OA_PETITIONS` petitions wait in an OA simulator on the bridge address; the hosts
pull them (every minute, under a job lease) into tickets, whose registration and dispatch are
pushed back (every minute, under another). The simulator counts every update request it gets,
per idempotency key, so a push repeated after a host died shows as a key received again.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from xinxiang.oa_bridge.sim_store import SimulatorStore
from xinxiang.oa_bridge.simulator import OaSimulator

REPO = Path(__file__).resolve().parents[1]
OA_SECRET = "simulator-secret"
REMINDER_SPAN_CAP = timedelta(days=7)  # as services.sweep_due: a long deadline's start is capped


class CountingOa(OaSimulator):
    """The OA simulator, counting update requests per idempotency key (replays included)."""

    def __init__(self, db_path: Path, host: str) -> None:
        super().__init__(db_path, host=host, secret=OA_SECRET)
        self.posts: Counter[str] = Counter()

    def _update(self, h: Any, store: SimulatorStore, petition_id: str) -> None:
        key = h.headers.get("Idempotency-Key", "").strip()
        with self._rng_lock:
            self.posts[key] += 1
        super()._update(h, store, petition_id)


def write_oa_toml(cfg_dir: Path, sim: OaSimulator) -> None:
    """The shipped `oa.toml`, pointed at the simulator (plain HTTP on the test bridge)."""
    text = (REPO / "config" / "oa.toml").read_text("utf-8")
    text = text.replace("http://127.0.0.1:8711", sim.url)
    text = text.replace("insecure_remote_plaintext = false", "insecure_remote_plaintext = true")
    (cfg_dir / "oa.toml").write_text(text, "utf-8")


def reminder_lead(start: datetime, after: float, cfg: Any) -> tuple[int, datetime]:
    """(lead minutes, T): the response deadline of a ticket accepted at `start`, less the lead,
    falls `after` seconds (rounded up to the minute) into the run."""
    from xinxiang.dispatch.calendar import load_calendar_for, load_policy_for
    from xinxiang.domain.deadlines import compute_deadlines

    policy = load_policy_for(cfg)
    due = compute_deadlines(start, 1, "normal", policy, load_calendar_for(cfg), cfg.tz).response_due
    minutes = math.floor((due - start).total_seconds() / 60) - math.ceil(after / 60)
    if minutes < 1:
        raise RuntimeError(f"the response deadline {due} is too close to the start {start}")
    return minutes, due - timedelta(minutes=minutes)


PRIORITY_LEAD = 24 * 60 - 1  # a priority ticket's reminder, a minute after its dispatch


def write_policy(cfg_dir: Path, lead_minutes: int) -> None:
    """The shipped `calendar.toml` with the two lead times above, no half-way reminder."""
    text = (REPO / "config" / "calendar.toml").read_text("utf-8")
    text, n1 = re.subn(r"(?m)^reminder_halfway = true", "reminder_halfway = false", text)
    text, n2 = re.subn(
        r"(?m)^reminder_lead_minutes = \[120\]",
        f"reminder_lead_minutes = [{lead_minutes}, {PRIORITY_LEAD}]",
        text,
    )
    assert n1 == n2 == 1, "config/calendar.toml no longer has the [policy] lines replaced here"
    (cfg_dir / "calendar.toml").write_text(text, "utf-8")


@dataclass
class DutyFacts:
    """Reminders and OA pushes: what was due, what was recorded, what arrived."""

    reminder_at: str = ""  # T, UTC
    lead_minutes: int = 0
    swept_until: str = ""  # the `now` of the last sweep
    reminders_due: int = 0  # (ticket, deadline) pairs whose reminder fell due in the run
    reminders_waiting_routing: int = 0  # of those, dispatch reminders (sent while not routed)
    reminders_recorded: int = 0  # reminder notices recorded by the sweeps (NoticeRow)
    reminders_not_recorded: int = 0  # due, but no notice recorded
    reminders_not_due: int = 0  # recorded, but not due by the computation here
    not_due_sample: list[str] = field(default_factory=list)
    reminder_rows: int = 0  # reminder outbox rows
    reminder_mails: int = 0  # distinct reminder Message-IDs received
    reminder_tickets_mailed: int = 0  # tickets with a reminder received
    reminder_tickets_due: int = 0
    reminders_twice: int = 0  # (ticket, deadline, step, recipient) with two Message-IDs
    reminder_sweeps: int = 0  # sweeps that queued reminders (both hosts' logs)
    reminder_rows_not_received: int = 0
    reminder_redelivered: int = 0  # the same reminder Message-ID received again
    oa_petitions: int = 0
    oa_tickets: int = 0
    oa_rows: int = 0  # OA outbox rows (one per reportable event)
    oa_rows_by_event: dict[str, int] = field(default_factory=dict)
    oa_rows_twice: int = 0  # (ticket, event) with two OA outbox rows
    oa_rows_unsent: int = 0
    oa_updates: int = 0  # updates the OA recorded (distinct idempotency keys)
    oa_updates_twice: int = 0  # (petition, event) with two updates at the OA
    oa_rows_not_at_oa: int = 0  # OA outbox rows marked sent the OA never recorded
    oa_tickets_without_push: int = 0  # OA tickets with no 'received' or no 'dispatched' update
    oa_posted_again: int = 0  # update requests repeating a key (replayed by the OA)
    reminders_sent_by: dict[str, int] = field(default_factory=dict)  # per host, from its log
    oa_pushed_by: dict[str, int] = field(default_factory=dict)  # per host, from its log
    swept_by: dict[str, int] = field(default_factory=dict)  # sweeps with notices, per host


_DEADLINES = ("response", "preliminary", "formal")
DISPATCHING = ("received", "triage", "rework")  # the dispatch deadline runs (states.py)


def _deadline_of(key: str) -> str:
    """The deadline kind in a notice key `<ticket>/<kind>/<due>/<level>[/<step>]`."""
    return key.split("/")[1] if "/" in key else ""


def duty_facts(
    ctx: Any, oa: CountingOa, by_id: Counter[str], lead: int, t: datetime, logs: dict[str, Path]
) -> DutyFacts:
    """Count reminders and OA pushes after a run (database, SMTP sink, OA, host logs)."""
    from sqlalchemy import select

    from xinxiang.services.sweep_due import read_watermark
    from xinxiang.store.models import NoticeRow, OutboxRow, TicketRow
    from xinxiang.store.models_oa import OaOutboxRow

    f = DutyFacts(reminder_at=t.isoformat(), lead_minutes=lead)
    leads = (timedelta(minutes=lead), timedelta(minutes=PRIORITY_LEAD))
    with ctx.db.unit_of_work() as s:
        swept = read_watermark(s)
        tickets = s.execute(
            select(
                TicketRow.id,
                TicketRow.source,
                TicketRow.status,
                TicketRow.accepted_at,
                TicketRow.response_due,
                TicketRow.preliminary_due,
                TicketRow.formal_due,
                TicketRow.created_at,
                TicketRow.dispatch_due,
                TicketRow.dispatched_at,
            )
        ).all()
        notices = s.execute(
            select(NoticeRow.ticket_id, NoticeRow.key).where(NoticeRow.key.like("%/reminder%"))
        ).all()
        rows = s.execute(
            select(
                OutboxRow.ticket_id, OutboxRow.dedupe_key, OutboxRow.message_id,
                OutboxRow.recipient_key, OutboxRow.state,
            ).where(OutboxRow.kind == "reminder")
        ).all()  # fmt: skip
        oa_rows = s.execute(
            select(
                OaOutboxRow.ticket_id, OaOutboxRow.petition_id, OaOutboxRow.event_kind,
                OaOutboxRow.idempotency_key, OaOutboxRow.state,
            )
        ).all()  # fmt: skip
    f.swept_until = swept.isoformat() if swept else ""
    # Due: the lead-time reminder of each running deadline fell inside (start, last sweep].
    due: set[tuple[int, str]] = set()
    statuses = {"response": ("dispatched",), "preliminary": ("dispatched", "accepted")}
    work = ("dispatched", "accepted", "preliminary", "pending_approval")
    # A ticket's dispatch deadline ran while it waited for routing: a reminder falling due in
    # that wait is sent when a sweep read the ticket before routing committed, so it may have
    # been sent. When routing committed is not recorded (`accepted_at` is the `now` of the
    # routing pass, which may have begun before the reminder fell due): any reminder of the
    # dispatch deadline of a routed ticket falling due before the last sweep may be sent.
    may: set[tuple[int, str]] = set()
    for tid, _src, status, accepted, resp, prelim, formal, created, dispatch, routed in tickets:
        if swept is None:
            continue
        running = [("dispatch", dispatch, created)] if status in DISPATCHING else []
        # Dispatching clears the dispatch deadline: it was the policy's window after arrival.
        dispatch = dispatch or created + ctx.policy.dispatch_window
        if status not in DISPATCHING and (routed or accepted) is not None:
            for fire in (dispatch - lead_td for lead_td in leads):
                if max(created, dispatch - REMINDER_SPAN_CAP) < fire <= swept:
                    may.add((tid, "dispatch"))
        if accepted is not None:
            for kind, d in zip(_DEADLINES, (resp, prelim, formal), strict=True):
                if status in statuses.get(kind, work):
                    running.append((kind, d, accepted))
        for kind, d, started in running:
            if d is None:
                continue
            for fire in (d - lead_td for lead_td in leads):
                if max(started, d - REMINDER_SPAN_CAP) < fire <= swept:
                    due.add((tid, kind))
    recorded = {(tid, _deadline_of(key)) for tid, key in notices}
    due |= recorded & may
    f.reminders_due, f.reminders_recorded = len(due), len(notices)
    f.reminders_waiting_routing = len(recorded & may)
    f.reminders_not_recorded = len(due - recorded)
    f.reminders_not_due = len(recorded - due)
    f.not_due_sample = sorted(k for tid, k in notices if (tid, _deadline_of(k)) not in due)[:5]
    f.reminder_tickets_due = len({tid for tid, _ in due})
    f.reminder_rows = len(rows)
    received = {mid.strip("<>") for mid in by_id}
    per_pair: Counter[tuple[int, str, str, str]] = Counter()
    mailed: set[int] = set()
    for tid, dedupe, mid, rcpt, _state in rows:
        mid = mid.strip("<>")
        if mid not in received:
            f.reminder_rows_not_received += 1
            continue
        f.reminder_mails += 1
        f.reminder_redelivered += by_id[mid] - 1
        mailed.add(tid)
        notice_key = dedupe.split(":", 2)[-1].split(">")[0]
        step = notice_key.split("/")[-1]
        per_pair[(tid, _deadline_of(notice_key), step, rcpt)] += 1
    f.reminder_tickets_mailed = len(mailed)
    f.reminders_twice = sum(1 for c in per_pair.values() if c > 1)
    # OA: one outbox row per (ticket, event), each recorded once by the OA.
    f.oa_petitions = oa.store.count() if oa.store is not None else 0
    f.oa_tickets = sum(1 for t in tickets if t.source == "oa")
    f.oa_rows = len(oa_rows)
    f.oa_rows_by_event = dict(Counter(r.event_kind for r in oa_rows))
    f.oa_rows_twice = sum(
        1 for c in Counter((r.ticket_id, r.event_kind) for r in oa_rows).values() if c > 1
    )
    f.oa_rows_unsent = sum(1 for r in oa_rows if r.state != "sent")
    updates = oa.store.updates() if oa.store is not None else []
    f.oa_updates = len(updates)
    event_of_key = {r.idempotency_key: r.event_kind for r in oa_rows}
    at_oa = Counter((pid, event_of_key.get(key, key)) for _seq, key, pid, _p in updates)
    f.oa_updates_twice = sum(1 for c in at_oa.values() if c > 1)
    keys_at_oa = {key for _seq, key, _pid, _p in updates}
    f.oa_rows_not_at_oa = sum(
        1 for r in oa_rows if r.state == "sent" and r.idempotency_key not in keys_at_oa
    )
    events_of: dict[int, set[str]] = {}
    for r in oa_rows:
        if r.idempotency_key in keys_at_oa:
            events_of.setdefault(r.ticket_id, set()).add(r.event_kind)
    f.oa_tickets_without_push = sum(
        1
        for t in tickets
        if t.source == "oa"
        and not ({"received"} | ({"dispatched"} if t.status == "dispatched" else set()))
        <= events_of.get(t.id, set())
    )
    f.oa_posted_again = sum(c - 1 for c in oa.posts.values() if c > 1)
    for host, log in logs.items():
        text = log.read_text(errors="replace") if log.exists() else ""
        f.reminders_sent_by[host] = len(
            re.findall(r"event=mail_sent\b[^\n]*\bkind=reminder\b", text)
        )
        f.oa_pushed_by[host] = sum(int(n) for n in re.findall(r"OA push: (\d+) sent", text))
        f.swept_by[host] = len(re.findall(r"sweep \S+: \d+ notices", text))
    f.reminder_sweeps = sum(f.swept_by.values())
    return f
