#!/usr/bin/env python3
"""libc_audit.py: every glibc function that takes a path or a descriptor
is either wrapped by the shim or listed with its reason in doc/HIJACK.md.

usage: libc_audit.py SHIM.so HIJACK.md [--list]

The candidates are found, not listed by hand: every glibc header is
parsed by clang (-ast-dump=json), and a function exported by libc.so.6
is a candidate when a parameter is a descriptor (an int named __fd,
__fildes, __dirfd ... as glibc's headers name them), a path (a char *
named __file, __path, __filename ...) or a DIR *.  The section "glibc's
functions that take a path or a descriptor" of doc/HIJACK.md lists them
in bullets "- **tag**: reason ... `name`, `name` ...".  The check fails
on a candidate in no bullet, on a name under **wrapped** that the shim
does not export, and on a name under a reason that the shim does export.
"""
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

FD = re.compile(r'^__(fd\d?|fildes|dirfd|olddirfd|newdirfd|oldfd|newfd|'
                r'in_fd|out_fd|fdin|fdout|fd_in|fd_out|infd|outfd|sockfd|'
                r'sock|epfd|dfd|pidfd|ufd|fanotify_fd|mountdirfd|tfd)$')
PATH = re.compile(r'^__(file|path|filename|pathname|dir|special_file|'
                  r'special|from_pathname|to_pathname|old|new|oldpath|'
                  r'newpath|from|to|target|link|linkpath|dirname|cat_name|'
                  r'wtmp_file|wtmpx_file|path1|path2|file1|file2)$')
SECTION = "## glibc's functions that take a path or a descriptor"


def sh(*cmd):
    return subprocess.run(cmd, check=True, capture_output=True,
                          text=True).stdout


def exported(lib):
    out = sh('nm', '-D', '--defined-only', lib)
    return {l.split()[2].split('@')[0] for l in out.splitlines()
            if len(l.split()) >= 3 and l.split()[1] in 'TWi'}


def all_headers(tmp):
    """A translation unit including every libc header that compiles: all
    of them, less those an error is reported in (a few rounds)."""
    dirs = ['/usr/include', '/usr/include/*-linux-gnu/sys',
            '/usr/include/arpa', '/usr/include/net', '/usr/include/netinet',
            '/usr/include/*-linux-gnu/gnu', '/usr/include/netpacket']
    try:
        # Only glibc's own headers: dpkg knows which package has which.
        owned = set(sh('dpkg', '-L', 'libc6-dev').split())
    except (OSError, subprocess.CalledProcessError):
        owned = None
    heads = []
    for d in dirs:
        for h in sorted(glob.glob(d + '/*.h')):
            if owned is None or h in owned:
                heads.append(re.sub(r'^/usr/include/([^/]*-linux-gnu/)?',
                                    '', h))
    pre = '#define _GNU_SOURCE 1\n#define _LARGEFILE64_SOURCE 1\n'
    path = os.path.join(tmp, 'all.c')
    for _ in range(30):
        with open(path, 'w') as f:
            f.write(pre + ''.join('#include <%s>\n' % h for h in heads))
        r = subprocess.run(['clang', '-fsyntax-only', '-x', 'c', path],
                           capture_output=True, text=True)
        if r.returncode == 0:
            break
        # "In file included from .../all.c:N:" names the header to drop.
        lines = {int(m) for m in re.findall(re.escape(path) + r':(\d+):',
                                             r.stderr)} - {1, 2}
        if not lines:
            sys.exit('clang: ' + r.stderr[:2000])
        heads = [h for i, h in enumerate(heads) if i + 3 not in lines]
    return path


def candidates(libc):
    with tempfile.TemporaryDirectory() as tmp:
        ast = json.loads(sh('clang', '-fsyntax-only', '-Xclang',
                            '-ast-dump=json', '-x', 'c', all_headers(tmp)))
    found = {}
    for d in ast.get('inner', []):
        if d.get('kind') != 'FunctionDecl':
            continue
        name, kinds = d.get('name'), set()
        for p in d.get('inner', []):
            if p.get('kind') == 'AsmLabelAttr':
                name = p.get('label')
            if p.get('kind') != 'ParmVarDecl':
                continue
            pn = p.get('name', '')
            t = p['type']['qualType'].replace(' ', '').replace('restrict', '')
            if t in ('int', 'unsignedint') and FD.match(pn):
                kinds.add('descriptor')
            if t in ('constchar*', 'char*') and PATH.match(pn):
                kinds.add('path')
            if t == 'DIR*':
                kinds.add('DIR')
        if kinds and name in libc:
            found[name] = kinds
    return found


def listed(doc):
    text = open(doc).read()
    if SECTION not in text:
        sys.exit('%s: no section "%s"' % (doc, SECTION))
    body = text.split(SECTION, 1)[1].split('\n## ', 1)[0]
    tags = {}
    for bullet in re.split(r'\n- ', '\n' + body)[1:]:
        m = re.match(r'\*\*([^*]+)\*\*', bullet)
        if not m:
            continue
        for n in re.findall(r'`([A-Za-z_][A-Za-z0-9_]*)`', bullet):
            # errno names and types in the prose are not functions
            if not re.match(r'^[A-Z0-9_]+$|.*_t$', n):
                tags.setdefault(n, set()).add(m.group(1))
    return tags


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    shim_lib, doc = sys.argv[1], sys.argv[2]
    libc_so = sh('gcc', '-print-file-name=libc.so.6').strip()
    libc, shim = exported(libc_so), exported(shim_lib)
    cand = candidates(libc)
    if '--list' in sys.argv:
        for n in sorted(cand):
            print(n, ','.join(sorted(cand[n])),
                  'wrapped' if n in shim else '-')
        return 0
    tags = listed(doc)
    bad = []
    for n in sorted(cand):
        if n not in tags:
            bad.append('%s (takes a %s): neither wrapped nor listed' %
                       (n, ' and a '.join(sorted(cand[n]))))
    for n, t in sorted(tags.items()):
        if 'wrapped' in t and n not in shim:
            bad.append('%s: listed as wrapped, not exported by the shim' % n)
        if 'wrapped' not in t and n in shim:
            bad.append('%s: the shim wraps it, but it is listed under %s' %
                       (n, ', '.join(sorted(t))))
        if n not in libc:
            bad.append('%s: listed, but libc.so.6 has no such function' % n)
    for b in bad:
        print(b)
    print('%d candidates in libc.so.6: %d wrapped, %d with a reason; '
          '%d problems' % (len(cand), len([n for n in cand if n in shim]),
                           len([n for n in cand if n not in shim]),
                           len(bad)))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
