"""Writes of the decision papers, one module per role.

- `common`: the document kind, `PaperError`, German formats, a paper's audit entry and the checks
  that a paper (or its year) may still change;
- `templates`: paper templates (Vorlagenmuster) and their placeholder texts;
- `numbering`: numbering schemes and the next Drucksache number;
- `consultations`: the Beratungsfolge (committees, roles, dates), kept in place;
- `papers`: creating, generating and editing papers;
- `meetings`: the committee calendar, dating and copying the Beratungsfolge from it;
- `decisions`: council decisions;
- `context`: the paper context (everything a paper shows, for the PDF and the preview);
- `rendering`: requesting one paper's PDF or a year's batch;
- `batch`: what a batch reads once for all its papers (figures, Beratungsfolgen, fingerprints).

Every error a person can fix is a `PaperError` with a German message; nothing is saved or
rendered half: a batch checks every paper before it requests a single document.

This package is the papers' write API: callers import from `roadmap.papers.services` what is
re-exported here, never the submodules' private helpers.
"""

from roadmap.papers.services.batch import (
    FINGERPRINT_VERSION,
    BatchState,
    batch_problem,
    batch_state,
    paper_fingerprint,
)
from roadmap.papers.services.common import (
    KIND,
    TEMPLATE_NAME,
    PaperError,
    format_date,
    format_money,
)
from roadmap.papers.services.consultations import (
    DEFAULT_COMMITTEES,
    CommitteeSpec,
    check_committees,
    committee_for,
    committee_name,
    consultations_replace,
)
from roadmap.papers.services.context import (
    _consultation_rows,  # the Beratungsfolge as the paper shows it (tests check its dates)
    paper_context,
    paper_filename,
    paper_title,
    placeholder_values,
)
from roadmap.papers.services.decisions import decision_record
from roadmap.papers.services.meetings import (
    CalendarError,
    CalendarResult,
    calendar_import,
    consultations_copy,
)
from roadmap.papers.services.numbering import reference_next, scheme_for, scheme_save
from roadmap.papers.services.papers import paper_create, paper_save, papers_generate
from roadmap.papers.services.rendering import paper_render, papers_render_batch
from roadmap.papers.services.templates import template_save, validate_overrides

__all__ = [
    "DEFAULT_COMMITTEES",
    "FINGERPRINT_VERSION",
    "KIND",
    "TEMPLATE_NAME",
    "BatchState",
    "CalendarError",
    "CalendarResult",
    "CommitteeSpec",
    "PaperError",
    "_consultation_rows",
    "batch_problem",
    "batch_state",
    "calendar_import",
    "check_committees",
    "committee_for",
    "committee_name",
    "consultations_copy",
    "consultations_replace",
    "decision_record",
    "format_date",
    "format_money",
    "paper_context",
    "paper_create",
    "paper_filename",
    "paper_fingerprint",
    "paper_render",
    "paper_save",
    "paper_title",
    "papers_generate",
    "papers_render_batch",
    "placeholder_values",
    "reference_next",
    "scheme_for",
    "scheme_save",
    "template_save",
    "validate_overrides",
]
