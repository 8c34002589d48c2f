"""Out-of-office notes written like answers (自动回复识别): recognised by their words.

Some mail clients send an out-of-office note without ``Auto-Submitted`` or a telling subject
("您好，本人休假中…"). Sent to a dispatch mail, such a note must never become a department's
answer, and never draw a refusal that draws another note. Only the first lines of the new text
are read, and only phrases that speak of the writer's own absence or of automatic sending, so
an answer that says "工作人员外出核查" is still an answer. Pure functions, standard library only.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["out_of_office_phrase"]

_PHRASES = re.compile(
    r"((^|[【\[(（])\s*(自动回复|自動回覆|自动答复)|(自动回复|自動回覆|自动答复)\s*[:：】\])）]|"
    r"(此|这|這)(是|为|為)(一封)?(自动回复|自動回覆|自动答复)|系统自动发送|"
    r"本人(目前|现|现在|正在|已)?(在|处于)?(休假|出差|外出|休产假|休年假|请假|不在(办公室|学校|校))|"
    r"(我|本人)(正在|目前)?(休假|出差)(中|期间)|"
    r"(休假|出差|外出|假期)(期间|中)[，,\s]*(暂时|暂|将)?(无法|不能|不便)(及时)?(回复|处理|查看)|"
    r"(暂时|暂)(无法|不能)(及时)?(回复|处理)(您的)?邮件|"
    r"(本人|我)[^。，,.!！]{0,12}(返校|回校|返岗|回来)后(再|将|会)?(尽快)?(回复|处理|联系)|"
    r"\bout of (the )?office\b|^\s*auto(matic)?[- ]?(reply|response)\b|"
    r"\bthis is an auto(matic|mated)[- ]?(reply|response|message)\b|"
    r"\bI am (currently )?(away|on (annual |sick |maternity )?leave|travel+ing|out)\b|"
    r"\bon (annual |sick |maternity )?leave until\b|\blimited access to (my )?e-?mail\b|"
    r"\bwill (respond|reply|get back to you) (when|after|upon) (I|my) return)",
    re.IGNORECASE | re.MULTILINE,
)


def out_of_office_phrase(text: str, lines: int = 4) -> str | None:
    """The out-of-office phrase in the first ``lines`` lines of ``text``, or None."""
    kept = [line.strip() for line in unicodedata.normalize("NFKC", text).splitlines()]
    first = "\n".join([line for line in kept if line][:lines])
    match = _PHRASES.search(first)
    return match.group(0) if match else None
