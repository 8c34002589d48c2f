"""xinxiang: the 书记校长信箱 processor (letters → tickets → departments → answers → records)."""

__version__ = "0.1.0"
