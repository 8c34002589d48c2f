"""Mail sources (IMAP, Maildir), parsing raw messages into `Letter`s, and noise detection."""
