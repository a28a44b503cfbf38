"""Fill msgstr entries of a .po file from a JSON dict {msgid: msgstr}; report what is left.

Usage: python scripts/fill_po.py path/to/django.po translations.json
Only single-line msgids (makemessages --no-wrap) are handled; that is what we generate.
"""

import json
import re
import sys


def unquote(s: str) -> str:
    return json.loads(s)


def quote(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def fill(path: str, table: dict[str, str]) -> list[str]:
    with open(path, encoding="utf-8") as fh:
        lines = fh.read().split("\n")
    out, missing = [], []
    i = 0
    while i < len(lines):
        line = lines[i]
        m = re.match(r'^msgid (".*")$', line)
        if m and i + 1 < len(lines) and lines[i + 1].startswith("msgstr "):
            msgid = unquote(m.group(1))
            out.append(line)
            current = unquote(lines[i + 1][len("msgstr ") :])
            if msgid and not current:
                if msgid in table:
                    current = table[msgid]
                else:
                    missing.append(msgid)
            out.append("msgstr " + quote(current))
            i += 2
            continue
        if line.startswith("#, fuzzy") and out and out[-1] != "":
            i += 1
            continue
        out.append(line)
        i += 1
    text = "\n".join(out).replace(
        '"Content-Type: text/plain; charset=CHARSET\\n"',
        '"Content-Type: text/plain; charset=UTF-8\\n"',
    )
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
    return missing


if __name__ == "__main__":
    with open(sys.argv[2], encoding="utf-8") as fh:
        table = json.load(fh)
    missing = fill(sys.argv[1], table)
    for m in missing:
        print("MISSING:", m)
