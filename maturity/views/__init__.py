"""Views of maturity, one module per audience: `kreis` and `municipality`."""
