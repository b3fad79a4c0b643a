"""fivestar: internal extracts to five-star open data on CKAN."""
