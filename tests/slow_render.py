"""Loaded into a fault test's worker with `celery worker --include tests.slow_render`.

Every rendering takes IZD_TEST_RENDER_DELAY seconds longer, so that a test can kill the worker
while its jobs run. Only the duration changes: the real builder and renderer still run.
"""

from __future__ import annotations

import os
import time

from izd import documents
from izd.pdf import RenderSpec

_render_pdf = documents.render_pdf


def _slow_render_pdf(spec: RenderSpec) -> bytes:
    time.sleep(float(os.environ.get("IZD_TEST_RENDER_DELAY", "0")))
    return _render_pdf(spec)


documents.render_pdf = _slow_render_pdf
