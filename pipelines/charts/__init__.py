"""What the champion looks at beside the tables: pictures of a release, drawn server-side.

* ``changes``     — bar charts of this release against the last published one,
  per period and per category (``pygal`` SVG: no JavaScript runs, nothing is
  fetched from elsewhere);
* ``suppression`` — for aggregate tables, the grid of which cells are
  suppressed (primary, secondary) and which are published.

Both read only the public CSVs of the releases, so they show nothing the
public will not see.
"""
