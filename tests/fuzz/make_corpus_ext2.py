#!/usr/bin/env python3
"""make_corpus_ext2.py DIR [IGNORED]: seed images for fuzz_ext2.

Small ext2 images made by the host's mke2fs from a little tree (files
that need indirect blocks, fast and slow symlinks, a hard link, a
directory of many names): 1 KiB and 4 KiB blocks, revision 0 and 1,
with and without the filetype feature.  Without mke2fs, no seeds (the
fuzzer starts from nothing)."""
import os
import shutil
import subprocess
import sys
import tempfile


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    mke2fs = shutil.which("mke2fs") or "/sbin/mke2fs"
    if not os.path.exists(mke2fs):
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        tree = os.path.join(tmp, "tree")
        os.makedirs(os.path.join(tree, "d", "e"))
        with open(os.path.join(tree, "d", "big"), "wb") as f:
            f.write(bytes(range(256)) * 60)
        with open(os.path.join(tree, "small"), "w") as f:
            f.write("hello\n")
        os.link(os.path.join(tree, "small"), os.path.join(tree, "d", "hard"))
        os.symlink("../small", os.path.join(tree, "d", "fast"))
        os.symlink("x" * 80, os.path.join(tree, "slow"))
        for i in range(30):
            open(os.path.join(tree, "d", "e", "n%02d" % i), "w").close()
        seeds = [
            ("1k", ["-b", "1024", "-I", "128", "-N", "48"], "128K"),
            ("4k", ["-b", "4096", "-I", "256", "-N", "48"], "256K"),
            ("rev0", ["-b", "1024", "-r", "0", "-N", "48"], "128K"),
            ("noft", ["-b", "1024", "-N", "48", "-O",
                      "^filetype,^resize_inode"], "128K"),
        ]
        for name, opts, size in seeds:
            img = os.path.join(out, "seed-" + name)
            cmd = [mke2fs, "-q", "-F", "-t", "ext2"] + opts + \
                ["-d", tree, img, size]
            if subprocess.run(cmd, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL).returncode != 0:
                if os.path.exists(img):
                    os.unlink(img)
    return 0


if __name__ == "__main__":
    sys.exit(main())
