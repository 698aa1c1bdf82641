"""Views of roadmap, one module per audience: `kreis` and `municipality`."""
