"""OA 信访 module bridge: REST client, field mapping, two-way sync, and a reference simulator."""
