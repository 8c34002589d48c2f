"""`xinxiang rules suggest|check`: help the office improve the routing rules."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy import or_, select

from xinxiang.classify.suggest import suggest_terms
from xinxiang.commands._common import ConfigOption, JsonOption, open_context
from xinxiang.commands._show import console, json_text, shown
from xinxiang.store.models import EventRow, LetterRow, TicketRow

rules_app = typer.Typer(help="分办规则：改进建议。", no_args_is_help=True)


@rules_app.command("suggest")
def suggest(
    config: ConfigOption = None,
    top: Annotated[int, typer.Option(min=1, max=500, help="列出多少个词语。")] = 30,
    limit: Annotated[int, typer.Option(min=1, help="分析最近多少封来信。")] = 2000,
    as_json: JsonOption = False,
) -> None:
    """Frequent terms in letters that ended in triage or were re-routed, not yet in any rule."""
    ctx = open_context(config)
    with ctx.db.unit_of_work() as session:
        rerouted = select(EventRow.ticket_id).where(EventRow.kind.in_(("transferred", "rerouted")))
        rows = session.execute(
            select(LetterRow.subject, LetterRow.body)
            .join(TicketRow, TicketRow.letter_id == LetterRow.id)
            .where(
                or_(
                    TicketRow.disposition == "triage",
                    TicketRow.status == "triage",
                    TicketRow.id.in_(rerouted),
                )
            )
            .order_by(TicketRow.id.desc())
            .limit(limit)
        ).all()
    texts = [f"{subject}\n{body}" for subject, body in rows]
    terms = suggest_terms(texts, ctx.rules, top)
    if as_json:
        typer.echo(
            json_text(
                {"letters": len(texts), "terms": [{"term": t, "letters": n} for t, n in terms]},
                indent=None,
            )
        )
        return
    out = console()
    out.print(f"分析了 {len(texts)} 封待分办或改派的来信，以下词语尚未被任何规则覆盖：")
    table = Table("词语", "出现的来信数")
    for term, n in terms:
        table.add_row(shown(term), str(n))
    out.print(table)


def register(app: typer.Typer) -> None:
    """Attach the `rules` group."""
    app.add_typer(rules_app, name="rules")
