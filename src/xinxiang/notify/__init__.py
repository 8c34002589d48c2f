"""Notifications beyond mail (通知渠道): 企业微信 application messages, 钉钉 work notices and a
generic webhook, behind one small interface (`Notifier`), fed by a durable queue (`queue`).

Messages carry the minimum — ticket number, kind, deadline, a link — never a petitioner's name,
address or letter text: they leave through third-party platforms (`message.compose`).
"""
