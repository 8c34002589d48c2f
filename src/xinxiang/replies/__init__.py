"""Thread tokens, reply parsing, approval, rendering, outbox sending, PDF records, public board."""
