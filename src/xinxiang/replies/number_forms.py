"""Round 19 of redaction (issue #13): a person's number written as a code of letters and
digits after an English label, as regular-expression source text for `redact.default_patterns`.

- After number, no., roll number, ID (PhD student, number LX2024D009; roll number MBBS2023-061;
  (no. LX2025M027)): a code of one to four letters, the digits of a year and a serial, perhaps
  a letter inside (D009) and a dash. A bare number after these words stays (no. 5, number 12).
- After a certificate's 编号 (退伍证编号是TW2024-41730, 学生证编号…): the certificate is a
  person's, so is its number.
"""

from __future__ import annotations

H = "\u4e00-\u9fff"
_CODE = r"[A-Z]{1,4}-?\d{2,4}[A-Z]{0,2}-?\d{2,6}[A-Z]?"

CODED_NUMBER = (
    r"(?<![A-Za-z])(?:[Rr]oll |[Ss]tudent |[Rr]egistration |[Mm]atriculation |[Ee]nrol(?:l)?ment )?"
    r"(?:[Nn]umber|[Nn]o\.?|ID)(?:\s(?:is|was))?\s?[:：]?\s?"
    rf"(?P<pii>{_CODE})(?![A-Za-z0-9\-])"
    # A certificate's own number (退伍证编号, 学生证编号, 工作证号码).
    rf"|(?<=[{H}]证)(?<!凭证)(?<!认证)(?<!验证)(?:编号|号码)\s?(?:是|为)?\s?[:：]?\s?"
    r"(?P<pii2>[A-Za-z]{0,4}[ \-]?\d(?:[ \-]?[A-Za-z]{0,2}\d){3,19}[A-Za-z]?)(?![A-Za-z0-9])"
)

# Round 20: phones as written under a signature or after a label.
# - A mobile broken by a line break after a group (152⏎1106 3380, 199 1012⏎3456).
# - A landline with its extension after 转, ext or 分机, spaces either side
#   ((0532) 8581-0276 转 12).
PHONE_FORMS = (
    r"(?<![0-9A-Za-z\-])1[3-9]\d(?:[ \-]?\n[ \t]*\d{4}[ \-]?\d{4}|[ \-]?\d{4}[ \-]?\n[ \t]*\d{4})"
    r"(?![0-9A-Za-z])"
    r"|(?<![0-9A-Za-z\-])(?:[(（]0\d{2,3}[)）]|0\d{2,3})\s?-?\s?[2-9]\d{2,3}[ \-]?\d{4}"
    r"\s?(?:转|ext\.?|分机)\s?\d{1,5}(?!\d)"
)
