"""Warming a worker up (预热): what every process loads once, done at start in a thread.

jieba's dictionary and the second reader's models take seconds to load; loaded here, at start,
the first approval, the first board and the first routed letters after a worker starts do not
wait for them. A failure is only logged: a bad configuration is reported where it is used.
"""

from __future__ import annotations

import logging

from xinxiang.classify.batch import fit_models
from xinxiang.config import Config
from xinxiang.replies.privacy import deployment_redactor
from xinxiang.services.context import AppContext

log = logging.getLogger(__name__)


def warm_redactor(cfg: Config) -> None:
    """Load the redactor's segmenter dictionary (3–8 s) once for this process."""
    try:
        deployment_redactor(cfg).names_in(["预热"])
    except Exception:  # a bad redaction.toml is reported where it is used
        log.warning("redactor warm-up failed", exc_info=True)


def warm_reader(ctx: AppContext) -> None:
    """Fit (or load from the reader cache) the second reader's models once for this process:
    routing needs them, and ingest's worker processes get them to read letters ahead
    (`services.prepare`)."""
    try:
        fit_models(ctx.rules)
    except Exception:  # bad rules are reported where they are used
        log.warning("second reader warm-up failed", exc_info=True)
