"""Writes of maturity, one module per role.

- `model_versions`: loading and uploading versions of the maturity model;
- `campaigns`: campaigns, reminders and the e-mails to the digital officers;
- `answers`: a municipality's answers (the autosave's raw-SQL hot path), import, submit, reopen;
- `projection`: the public read model (`Participation`) that every answer write updates;
- `rawsql`: the few SQL helpers that the hot path shares with the projection.

Answers live in the municipality's schema; every write that the county pages need is projected
into the public read model in the same transaction. The connection's search path is
"<tenant>, public", so both are written through one connection and commit together.

This package is maturity's write API: callers import from `maturity.services` what is
re-exported here, never the submodules' private helpers.
"""

from maturity.errors import AnswerConflict, Locked, MaturityError, ModelFileError, NotFound
from maturity.services.answers import (
    FIELDS,
    AnswerInput,
    SavedAnswer,
    answer_save,
    answers_import,
    assessment_reopen,
    assessment_submit,
)
from maturity.services.campaigns import (
    Reminders,
    campaign_close,
    campaign_create,
    campaign_remind,
)
from maturity.services.model_versions import (
    model_version_load,
    model_version_load_shipped,
    model_version_upload,
)

__all__ = [
    "FIELDS",
    "AnswerConflict",
    "AnswerInput",
    "Locked",
    "MaturityError",
    "ModelFileError",
    "NotFound",
    "Reminders",
    "SavedAnswer",
    "answer_save",
    "answers_import",
    "assessment_reopen",
    "assessment_submit",
    "campaign_close",
    "campaign_create",
    "campaign_remind",
    "model_version_load",
    "model_version_load_shipped",
    "model_version_upload",
]
