"""CKAN as a WSGI application for gunicorn (CKAN's deployment docs: a production WSGI
server, never ``ckan run``). catalogue/bin/up runs ``gunicorn wsgi:application`` with
``CKAN_INI`` pointing at the generated catalogue/.state/ckan.ini."""

import os
from logging.config import fileConfig

from ckan.cli import CKANConfigLoader
from ckan.config.middleware import make_app

_ini = os.environ["CKAN_INI"]
fileConfig(_ini, disable_existing_loggers=False)
application = make_app(CKANConfigLoader(_ini).get_config())
