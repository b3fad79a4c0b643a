"""Linked data that resolves: the triple store (Jena Fuseki), loading releases into it,
and the front that answers fivestar's /id/, /doc/ and /def/ URIs."""
