"""Apply catalogue/ckan/ckan-settings.ini.in to a generated ckan.ini (stdlib only).

usage: python patch_ini.py TEMPLATE INI  (placeholders ${NAME} come from the environment)
Keys present in a section are replaced in place; missing ones are appended to it.
"""
import os
import re
import sys
from pathlib import Path
from string import Template


def parse_template(text):
    sections, current = {}, None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        m = re.fullmatch(r"\[(.+)\]", line)
        if m:
            current = m.group(1)
            sections.setdefault(current, {})
            continue
        key, _, value = line.partition("=")
        sections[current][key.strip()] = value.strip()
    return sections


def main(template_path, ini_path):
    text = Template(Path(template_path).read_text(encoding="utf-8")).substitute(os.environ)
    wanted = parse_template(text)
    lines = Path(ini_path).read_text(encoding="utf-8").splitlines()
    out, section, done = [], None, {s: set() for s in wanted}

    def flush(sec):
        for k, v in wanted.get(sec, {}).items():
            if k not in done[sec]:
                out.append(f"{k} = {v}")
                done[sec].add(k)

    for line in lines:
        m = re.fullmatch(r"\s*\[(.+)\]\s*", line)
        if m:
            if section in wanted:
                flush(section)
            section = m.group(1)
            out.append(line)
            continue
        km = re.match(r"\s*([^#;=\s][^=]*?)\s*=", line)
        if section in wanted and km and km.group(1) in wanted[section]:
            k = km.group(1)
            if k not in done[section]:
                out.append(f"{k} = {wanted[section][k]}")
                done[section].add(k)
            continue
        out.append(line)
    if section in wanted:
        flush(section)
    tmp = ini_path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")
    os.chmod(tmp, 0o600)
    os.replace(tmp, ini_path)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
