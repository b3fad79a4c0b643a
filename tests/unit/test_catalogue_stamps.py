"""catalogue/bin/_common.sh's configuration stamps: what `up` compares to restart a service
whose configuration, plugin or code changed since it was started."""

from __future__ import annotations

import subprocess
from pathlib import Path

from pipelines import paths

COMMON = paths.ROOT / "catalogue" / "bin" / "_common.sh"


def stamp(*args: str | Path) -> str:
    out = subprocess.run(["bash", "-c", f'source "{COMMON}"; stamp_of "$@"', "stamp",
                          *map(str, args)], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_a_stamp_changes_with_a_file_a_folder_or_a_setting(tmp_path):
    conf = tmp_path / "config.ttl"
    conf.write_text("a")
    plugin = tmp_path / "plugin"
    (plugin / "pkg").mkdir(parents=True)
    (plugin / "pkg" / "mod.py").write_text("x = 1\n")
    first = stamp(conf, plugin, "heap=1g")
    assert len(first) == 16
    assert stamp(conf, plugin, "heap=1g") == first  # the same inputs, the same stamp
    assert stamp(conf, plugin, "heap=2g") != first
    (plugin / "pkg" / "mod.py").write_text("x = 2\n")
    second = stamp(conf, plugin, "heap=1g")
    assert second != first
    conf.write_text("b")
    assert stamp(conf, plugin, "heap=1g") not in (first, second)


def test_compiled_and_build_files_do_not_change_a_stamp(tmp_path):
    plugin = tmp_path / "plugin"
    (plugin / "__pycache__").mkdir(parents=True)
    (plugin / "mod.py").write_text("x = 1\n")
    before = stamp(plugin)
    (plugin / "__pycache__" / "mod.cpython-311.pyc").write_bytes(b"\0")
    (plugin / "build").mkdir()
    (plugin / "build" / "copy.py").write_text("x = 1\n")
    assert stamp(plugin) == before
