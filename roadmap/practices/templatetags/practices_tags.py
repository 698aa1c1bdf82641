from django import template

from roadmap.practices.models import Practice
from roadmap.practices.selectors import Matrix
from tenants.models import Municipality

register = template.Library()


@register.simple_tag
def cell(matrix: Matrix, practice: Practice, municipality: Municipality) -> str:
    return matrix.cells.get((practice.pk, municipality.pk), "–")
