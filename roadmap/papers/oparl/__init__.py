"""OParl 1.1 for the decision papers.

* `export`: one paper's export for signed-in staff (also papers that are not public);
* `views`, `urls`, `selectors`, `objects`, `listing`: the public read-only API under
  /oparl/v1/ on the Kreis domain (System, Bodies, and their lists).
"""

from roadmap.papers.oparl.export import (
    Links,
    consultation_object,
    file_object,
    finished_document,
    paper_object,
)

__all__ = ["Links", "consultation_object", "file_object", "finished_document", "paper_object"]
