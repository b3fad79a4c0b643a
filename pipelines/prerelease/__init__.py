"""Pre-release access: who may see a release before it is published, and who did.

Under the Pre-release Access to Official Statistics Order 2008 (and the Code
of Practice), nobody outside the production team sees statistics before
release except the people on a published list, and only in the last 24 hours.

* ``access`` — the list (the spec's ``release.pre_release_access`` plus the
  department-wide file), the rule, and the access log: every view of a staged
  release, its preview, charts or reports in the review app is recorded, and
  a refusal is recorded too;
* ``statement`` — the list as published with the release (roles, and names
  only where the department chose to give them; never account names).
"""
