"""`xinxiang web`: serve the web console with uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from xinxiang.commands._common import ConfigOption, open_context, setup_logging


def web(
    config: ConfigOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    proxy: Annotated[
        bool,
        typer.Option(
            "--behind-proxy/--no-proxy",
            help="Trust X-Forwarded-For/-Proto from a reverse proxy on 127.0.0.1 (nginx).",
        ),
    ] = False,
) -> None:
    """Serve the web console (工作台, 进度查询) until interrupted."""
    import uvicorn

    from xinxiang.web.app import create_app

    setup_logging()
    ctx = open_context(config)
    try:
        uvicorn.run(
            create_app(ctx),
            host=host,
            port=port,
            proxy_headers=proxy,
            forwarded_allow_ips="127.0.0.1" if proxy else None,
            server_header=False,
            log_level="info",
        )
    finally:
        ctx.close()


def register(app: typer.Typer) -> None:
    """Attach the `web` command."""
    app.command("web")(web)
