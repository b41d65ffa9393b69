#!/usr/bin/env python3
"""Counts the cases of a meson test log (testlog.json): every TAP line
("ok ..." / "not ok ...") that a cmocka or TAP test printed is one case; an
executable that failed without printing a failing case (a crash, a timeout)
counts as one failed case.  Prints "LABEL unit PASSED FAILED"."""
import json
import re
import sys

label, path = sys.argv[1], sys.argv[2]
passed = failed = skipped_total = 0
try:
    lines = open(path, encoding="utf-8", errors="replace").read().splitlines()
except OSError:
    lines = []
for line in lines:
    if not line.strip():
        continue
    rec = json.loads(line)
    out = rec.get("stdout") or rec.get("stdo") or ""
    ok = len(re.findall(r"^ok (?!.*# ?SKIP)", out, re.M | re.I))
    skipped = len(re.findall(r"^(not )?ok .*# ?SKIP", out, re.M | re.I))
    bad = len(re.findall(r"^not ok (?!.*# ?SKIP)", out, re.M | re.I))
    if rec.get("result") not in ("OK", "EXPECTEDFAIL", "SKIP") and bad == 0:
        bad = 1
        print(f"{label}: {rec.get('name')} {rec.get('result')}", file=sys.stderr)
    passed += ok
    failed += bad
    skipped_total += skipped
print(label, "unit", passed, failed, skipped_total)
