"""Pre-release access: who may see a release before it is published, and who did.

Under the Pre-release Access to Official Statistics Order 2008 (and the Code
of Practice), nobody outside the production team sees statistics before
release except the people on a published list, and only in the last 24 hours.

* ``access`` — the list (the spec's ``release.pre_release_access`` plus the
  department-wide file) and the rule (the review app records every view and
  refusal in the audit log: ``pipelines.review.access_log``);
* ``statement`` — the list as published with the release (roles, and names
  only where the department chose to give them; never account names).
"""
