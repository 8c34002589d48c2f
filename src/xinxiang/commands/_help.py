"""The help of every command in Simplified Chinese (命令说明), for the office that runs them.

Command functions keep English docstrings for developers; `xinxiang.cli` puts these texts in
the help the user sees. A command missing here keeps its docstring (a test lists every command).
"""

from __future__ import annotations

COMMAND_HELP: dict[tuple[str, ...], str] = {
    ("init",): "新建一个部署（内置默认：SQLite、SqliteHuey、Maildir、.eml 外发邮件）。",
    ("demo",): "用示例来信演示全流程，无需任何服务器。",
    ("config", "check"): "检查全部配置文件；出错时一行说明文件、键和原因；--connect 登录各服务器。",
    ("backup",): "备份数据库（一致副本）、数据文件和配置；文件权限 0600，按保留份数删旧备份。",
    ("restore",): "把备份恢复到空的部署（非空时须加 --force）。",
    ("db", "upgrade"): "创建数据库结构或升级到最新版本。",
    ("db", "status"): "显示数据库结构版本和代码所需版本。",
    ("worker",): "运行后台处理程序：收取信箱（IDLE 与定时）、发送邮件、定时提醒。",
    ("poll",): "立即收取一遍各信箱，然后发送待发邮件。",
    ("inspect",): "解析一封邮件：类型、发件人、主题、正文、附件、解析问题、分办建议。",
    ("classify",): "按分办规则给一封邮件分办，并说明命中的规则（不保存）。",
    ("tickets", "list"): "列出最新的工单。",
    ("tickets", "show"): "显示一张工单：来信、办理记录和邮件。",
    ("tickets", "route"): "转办待分办的工单，或改派（时限重新计算）。",
    ("tickets", "cohandle"): "增加协办单位（1个工作日内报送办理结果）。",
    ("tickets", "extend"): "同意（或 --refuse 不同意）延期正式回复，最多5天。",
    ("tickets", "overdue"): "列出逾期工单，逾期最久的在前。",
    ("revisit", "list"): "列出最新的回访记录：状态、评价、不予回访原因、评价期限。",
    ("revisit", "rate"): "录入电话回访的评价（5 非常满意 … 1 非常不满意），记录经办人。",
    ("revisit", "settle"): "按党政办公室决定销账（须写明原因）。",
    ("revisit", "instruct"): (
        "录入分管校领导的批示并发送承办单位（督办中的工单重新转办、时限重新计算；"
        "办理中的工单时限不变）。"
    ),
    ("revisit", "skip"): "不予回访（无联系方式、拒绝回访等），记录原因并销账。",
    ("revisit", "run"): "立即执行一遍回访：发送回访邮件、提醒评价、逾期记为未评价。",
    ("quarantine", "list"): "列出无法处理的邮件及原因。",
    ("quarantine", "retry"): "修正后按保存的原始邮件重新处理。",
    ("pending",): "列出等待党政办公室审核的答复。",
    ("approve",): "审核通过工单的待审核答复（--edit：按修改稿通过）。",
    ("reject",): "驳回工单的待审核答复，退回承办单位。",
    ("holding", "list"): "列出待甄别区中尚未处理的邮件。",
    ("holding", "assign"): "把待甄别邮件作为备注归入工单（不改变工单办理）。",
    ("holding", "discard"): "不作处理，关闭待甄别邮件。",
    ("record",): "生成工单的处理单 PDF（同时随工单存档）。",
    ("publish",): "把公开答复生成静态网站。",
    ("redact",): "公开文本：查看隐去标记，保留或增加隐去，撤下已公开的来信。",
    ("redact", "show"): "显示工单的公开文本，每处隐去都有编号。",
    ("redact", "lift"): "保留：指定编号的隐去处公开时不再隐去。",
    ("redact", "add"): "隐去：公开时另行隐去这些文字。",
    ("redact", "takedown"): "撤下：把已公开的来信从公开答复栏目撤下（--reason 写明原因）。",
    ("sweep",): "立即检查一遍：发送到期的办理提醒、逾期警示、督办和工作日历提醒。",
    ("digest",): "显示周汇总；--send 发给党政办公室（每周一次）。",
    ("assess",): "月度考评：各单位响应率、办结率、满意率、得分和排名；未冻结的月份为预估。",
    ("report", "weekly"): (
        "生成周报 PDF（可同时生成 XLSX）：来信分类、按时办结率、逾期、满意度、三率排名。"
    ),
    ("report", "monthly"): "生成月报 PDF（可同时生成 XLSX），内容同周报，按月统计并与上月比较。",
    ("report", "topic"): "生成情况专报 PDF：按关键词检索某一时段的来信及其办理情况。",
    ("topics",): "列出热点问题（未诉先办）：多人反映的相似来信、上升的问题分类、反复出现的问题。",
    ("deadline",): "按工作日历和时限规定计算某一受理时间的各项时限。",
    ("calendar", "check"): "核对某年的工作日历是否已覆盖，列出节假日和调休上班日。",
    ("rules", "suggest"): "列出待分办或被改派的来信中常见、尚未被任何规则覆盖的词语。",
    (
        "rules",
        "evaluate",
    ): "在标注好的来信上评测分办规则：各单位的精确率、召回率，处置方式和紧急来信。",
    ("rules", "learn"): "用党政办公室的人工分办和改派记录训练分办建议模型（每晚也会自动训练）。",
    ("oa", "simulate"): "运行 OA 信访模块模拟器，直到中断。",
    ("oa", "sync"): "从 OA 拉取信访件，再推送待发的办理状态。",
    ("oa", "status"): "显示 OA 拉取游标、推送队列和最近的错误。",
    ("shunt", "list"): "列出各环节因出错而搁置的项目（搁置区），含环节和错误。",
    ("shunt", "show"): "显示一个搁置项目：是什么、出了什么错、错误回溯。",
    ("shunt", "retry"): "修正后放回搁置项目，由所属环节下一轮重新处理。",
    ("shunt", "discard"): "放弃一个搁置项目（记录保留，所属环节不再处理）。",
    ("status",): "显示各部件运行状态：各信箱、发信服务器、发件队列、搁置区、OA 接口、任务队列。",
    ("web",): "运行网页工作台（党政办公室、承办单位、校领导）和来信人查询页。",
    ("users", "add"): "新增网页工作台账号（密码从提示或标准输入读取）。",
    ("users", "passwd"): "为账号设置新密码（该账号已登录的会话随即失效）。",
    ("users", "disable"): "停用账号（该账号已登录的会话随即失效）。",
    ("users", "list"): "列出网页工作台账号及其角色。",
}
