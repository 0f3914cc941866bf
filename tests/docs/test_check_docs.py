"""check_docs.py finds what it must: a missing file, a missing anchor (also
in a link whose text spans lines), an excerpt that no longer matches its
file, a stale docs reference in another file; and accepts Turkish headings."""
import os
import subprocess
import sys
import tempfile
import unittest

CHECK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "check_docs.py")


def run(files):
    with tempfile.TemporaryDirectory() as root:
        for name, text in files.items():
            path = os.path.join(root, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
        p = subprocess.run([sys.executable, CHECK, root], capture_output=True, text=True)
        return p.returncode, p.stdout


GOOD = {
    "README.md": "# X\n\n[tr](docs/tr/README.md#hata-kodları-ve-ne-yapmalı)\n",
    "docs/tr/README.md": "# Hata kodları ve ne yapmalı\n\n## Şu `trl_call` (İngilizce)\n\n"
                         "[a](#şu-trl_call-i̇ngilizce)\n\n<!-- alıntı: ex.c -->\n```c\nint b;\n```\n",
    "ex.c": "int a;\nint b;\n",
}


class CheckDocs(unittest.TestCase):
    def test_good(self):
        self.assertEqual(run(GOOD), (0, "check_docs: 2 files, 0 problems\n"))

    def test_missing_file(self):
        rc, out = run(dict(GOOD, **{"README.md": "[x](docs/yok.md)\n"}))
        self.assertEqual(rc, 1)
        self.assertIn("docs/yok.md: no such file", out)

    def test_missing_anchor(self):
        rc, out = run(dict(GOOD, **{"README.md": "# X\n\n[x](docs/tr/README.md#yok)\n"}))
        self.assertEqual(rc, 1)
        self.assertIn("no heading with that anchor", out)

    def test_excerpt_rots(self):
        rc, out = run(dict(GOOD, **{"ex.c": "int a;\nint c;\n"}))
        self.assertEqual(rc, 1)
        self.assertIn("no longer a verbatim excerpt of ex.c", out)


    def test_link_over_two_lines(self):
        rc, out = run(dict(GOOD, **{"README.md": "# X\n\nsee [the\nlist](docs/tr/README.md#yok)\n"}))
        self.assertEqual(rc, 1)
        self.assertIn("README.md:3: docs/tr/README.md#yok: no heading with that anchor", out)

    def test_reference_in_code(self):
        ok = "/* docs/tr/README.md#hata-kodları-ve-ne-yapmalı; README \"X\" */\n"
        self.assertEqual(run(dict(GOOD, **{"src/a.c": ok}))[0], 0)
        rc, out = run(dict(GOOD, **{"src/a.c": "/* docs/yok.md */\n", "mk/b.mk": "# README.md#yok\n",
                                    "c.sh": "# see README \"Windows\"\n"}))
        self.assertEqual(rc, 1)
        self.assertIn("src/a.c:1: docs/yok.md: no such file", out)
        self.assertIn("mk/b.mk:1: README.md#yok: no heading with that anchor", out)
        self.assertIn('c.sh:1: README "Windows": no such section in README.md', out)


if __name__ == "__main__":
    unittest.main()
