"""Working calendar, SLA clock, assignment/return/transfer/extension, reminders and escalation."""
