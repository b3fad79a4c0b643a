"""Make timezone-aware `*_date` fields indexable by Solr.

CKAN's schema.xml has a dynamic `*_date` field of type date. CKAN 2.11's indexer
turns a value such as `2026-01-30T09:30:00+00:00` into an ISO string that keeps
the `+00:00` offset, which Solr rejects ("Invalid Date String"), so every write of
a dataset with a tz-aware `release_date` fails with SearchIndexError. This plugin
rewrites such values, in the search-index document only, as UTC with a `Z`
suffix. The stored dataset value is left exactly as sent.

It also serves a compressed file (``*.gz``, e.g. the N-Triples distribution)
as the file it is: werkzeug's ``send_file`` guesses ``Content-Encoding: gzip``
from the name, so HTTP clients would silently decompress it and the bytes a
downloader keeps would differ from the published ones (and their sha256).
"""
import datetime

import ckan.plugins as p
from dateutil.parser import ParserError, parse


def _solr_date(value):
    try:
        d = parse(value)
    except (ParserError, ValueError, OverflowError, TypeError):
        return None
    if d.tzinfo is not None:
        d = d.astimezone(datetime.UTC).replace(tzinfo=None)
    return d.isoformat() + "Z"


class FivestarIndexPlugin(p.SingletonPlugin):
    p.implements(p.IPackageController, inherit=True)

    def before_dataset_index(self, pkg_dict):
        for key in list(pkg_dict):
            if not key.endswith("_date"):
                continue
            value = pkg_dict[key]
            if not isinstance(value, str) or not value:
                continue
            fixed = _solr_date(value)
            if fixed is None:
                pkg_dict.pop(key)  # unparseable: keep it out of the date field
            else:
                pkg_dict[key] = fixed
        return pkg_dict


class FivestarDownloadPlugin(p.SingletonPlugin):
    p.implements(p.IMiddleware, inherit=True)

    def make_middleware(self, app, config):
        if hasattr(app, "after_request"):  # the Flask app
            app.after_request(_gzip_file_as_is)
        return app


def _gzip_file_as_is(response):
    from flask import request

    if request.path.endswith(".gz") and response.headers.get("Content-Encoding") == "gzip":
        del response.headers["Content-Encoding"]
        response.headers["Content-Type"] = "application/gzip"
    return response
