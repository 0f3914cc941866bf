"""One process, a thousand institutions (issue 22): clients with equal
transport settings share connections. A child process makes 1,000 clients,
each opens one study; the sandbox counts the connections they opened, and
the child reports its RSS growth.
"""
import json
import os
import subprocess
import sys
import unittest

from support import HERE, BINDING, sandbox_url, stats

CHILD = r"""
import json, sys
sys.path.insert(0, %(binding)r)
sys.path.insert(0, %(here)r)
import support
support._base = %(base)r
import teleradyoloji

def rss():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return None

first = teleradyoloji.Client(**support.settings())
first.viewer_url("ACC-SHARED-0", "12345678901", "30000000000")  # the runtime, loaded
before = rss()
clients = [teleradyoloji.Client(**support.settings()) for _ in range(1000)]
for i, c in enumerate(clients):
    c.viewer_url("ACC-SHARED-1", "12345678901", str(30000000001 + i))
after = rss()
last = clients.pop()
for c in clients + [first]:
    c.close()
last.viewer_url("ACC-SHARED-2", "12345678901", "31000000000")
last.close()
print(json.dumps({"rss_growth": None if before is None else after - before}))
"""


class SharedTransportTest(unittest.TestCase):
    def test_thousand_clients_share_connections(self):
        accepted = lambda: stats()["conns"]["main"]["accepted"]
        before = accepted()
        code = CHILD % {"binding": BINDING, "here": HERE, "base": sandbox_url()}
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=600, env=dict(os.environ))
        self.assertEqual(out.returncode, 0, out.stderr.decode(errors="replace")[-2000:])
        growth = json.loads(out.stdout.decode().strip().splitlines()[-1])["rss_growth"]
        opened = accepted() - before
        print("\n1,000 clients, one study each, then 999 closed: %d connection(s) opened, RSS +%s"
              % (opened, "n/a (no /proc)" if growth is None else "%.1f MB" % (growth / 1e6)))
        # One host here (OGN and API on one sandbox port): one kept
        # connection, and at most one spare beside it.
        self.assertLessEqual(opened, 2)
        if growth is not None:
            self.assertLessEqual(growth, 20 * 1000 * 1000)


if __name__ == "__main__":
    unittest.main()
