"""Views of the decision papers, one module per audience: `kreis` and `municipality`."""
