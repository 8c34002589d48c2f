"""One door for notices: every outgoing mail is composed here (模板) and queued by `door`.

One module per family of mail (`ack` receipts, `tickets` notices, `routing`, `dispatch`
转办单, `answers`, `revisit`, `sweep` reminders, `office` alerts); `door` is the one entry that
takes a notice, chooses its template by kind, sets the deterministic Message-ID, applies the
per-address caps (`caps`) and writes the outbox row through `store`.
"""
