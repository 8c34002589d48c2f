"""The `xinxiang` command line (Typer). Command groups live in `xinxiang.commands.*`.

Every failure the user can cause — bad arguments, bad config, unreachable servers — ends in a
single line on stderr and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import click
import typer

from xinxiang import commands
from xinxiang.errors import XinxiangError

app = typer.Typer(
    name="xinxiang",
    help="书记校长信箱 processor: letters → tickets → departments → answers → records.",
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


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point: run the app and map errors to one-line messages."""
    args = sys.argv[1:] if argv is None else argv
    try:
        result = app(args=args, prog_name="xinxiang", standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError:
        return 0
    except click.UsageError as exc:
        hint = (
            f" (try 'xinxiang {exc.ctx.command_path.split(' ', 1)[-1]} --help')" if exc.ctx else ""
        )
        print(f"xinxiang: error: {exc.format_message()}{hint}", file=sys.stderr)
        return 2
    except click.exceptions.Abort:
        print("xinxiang: aborted", file=sys.stderr)
        return 130
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except XinxiangError as exc:
        print(f"xinxiang: error: {exc}", file=sys.stderr)
        return 1
    except click.ClickException as exc:
        print(f"xinxiang: error: {exc.format_message()}", file=sys.stderr)
        return exc.exit_code
    return int(result) if isinstance(result, int) else 0


if __name__ == "__main__":
    sys.exit(main())
