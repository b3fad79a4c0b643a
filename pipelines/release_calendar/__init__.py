"""The release calendar (Code of Practice for Statistics, T3: pre-announced release times).

* ``workdays`` — UK working days (weekends and bank holidays via ``holidays``), 09:30 UK time;
* ``schedule`` — the coming releases computed from each spec's ``release:`` section;
* ``store``    — what was announced when, and date changes with their reasons (audited);
* ``ical``     — the iCalendar feed (``icalendar``);
* ``routes``   — the public page and feed, mounted by the review app's server.
"""
