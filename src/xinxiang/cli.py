"""The `xinxiang` command line (Typer). Command groups live in `xinxiang.commands.*`.

Every failure the user can cause — bad arguments, bad config, unreachable servers — ends in a
single line on stderr and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from collections.abc import Iterable, Iterator
from functools import cache

import click
import typer

from xinxiang import commands
from xinxiang.commands._help import COMMAND_HELP
from xinxiang.commands._show import shown
from xinxiang.errors import XinxiangError

app = typer.Typer(
    name="xinxiang",
    help="书记校长信箱：来信 → 工单 → 承办单位 → 答复 → 处理单。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _register_all() -> None:
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(app)


_register_all()


class _HelpFormatter(click.HelpFormatter):
    """Typer escapes `[required]` for Rich even when Rich does not render the help; undo it,
    so help reads `[required]`, not `\\[required]`."""

    def write_dl(
        self, rows: Iterable[tuple[str, str]], col_max: int = 30, col_spacing: int = 2
    ) -> None:
        fixed = [(term, text.replace("\\[", "[")) for term, text in rows]
        super().write_dl(fixed, col_max, col_spacing)


class _Context(click.Context):
    formatter_class = _HelpFormatter


def _walk(
    command: click.Command, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    yield path, command
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            yield from _walk(sub, (*path, name))


@cache
def command() -> click.Command:
    """The click command tree of `app`, built once, with Chinese help and its formatting fixed."""
    root = typer.main.get_command(app)
    for path, cmd in _walk(root):
        cmd.context_class = _Context
        chinese = COMMAND_HELP.get(path)
        if chinese is not None:
            cmd.help = chinese
            cmd.short_help = None
    return root


def _error(message: str) -> None:
    """One line on stderr: error texts may quote outside input, so it is shown escaped."""
    print(f"xinxiang: error: {shown(message)}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point: run the app and map errors to one-line messages."""
    args = sys.argv[1:] if argv is None else argv
    try:
        result = command().main(args=args, prog_name="xinxiang", standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError:
        return 0
    except click.UsageError as exc:
        path = exc.ctx.command_path.split(" ")[1:] if exc.ctx else []
        hint = f" (try 'xinxiang {' '.join([*path, '--help'])}')"
        _error(f"{exc.format_message()}{hint}")
        return 2
    except click.exceptions.Abort:
        print("xinxiang: aborted", file=sys.stderr)
        return 130
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except XinxiangError as exc:
        _error(str(exc))
        return 1
    except click.ClickException as exc:
        _error(exc.format_message())
        return exc.exit_code
    return int(result) if isinstance(result, int) else 0


if __name__ == "__main__":
    sys.exit(main())
