"""The wheel carries what the package reads from itself: the project's vocabulary and
SHACL shapes (not the user's code lists), so an installed fivestar converts and
checks without a checkout."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile

from pipelines import paths

UV = paths.CACHE_DIR / "tools" / "bin" / "uv"


def test_the_wheel_resolves_the_project_vocabulary_inside_the_package(tmp_path):
    subprocess.run([str(UV), "build", "--wheel", "--out-dir", str(tmp_path / "dist")],
                   cwd=paths.ROOT, check=True, capture_output=True, timeout=600)
    [wheel] = (tmp_path / "dist").glob("*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        zf.extractall(tmp_path / "site")
    assert {"pipelines/_project/fivestar.ttl", "pipelines/_project/shapes/dcat-ap-3.ttl"} <= names
    assert not any(n.startswith(("fivestar_dev/", "tests/", "datasets/")) for n in names)

    # the installed package, imported from elsewhere, with the user's own code lists
    user = tmp_path / "my-code-lists"
    user.mkdir()
    probe = ("from pipelines import paths; "
             "print(paths.PROJECT_VOCABULARY_DIR); print(paths.VOCABULARIES_DIR)")
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site"),
           "FIVESTAR_VOCABULARIES_DIR": str(user)}
    out = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=env, check=True,
                         capture_output=True, text=True).stdout.split()
    assert out == [str(tmp_path / "site" / "pipelines" / "_project"), str(user)]
