"""Views of cost sharing, one module per audience: `kreis` and `municipality`."""
