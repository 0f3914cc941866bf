"""The loader: where the library comes from, what it refuses, and when it loads.

Importing the package loads nothing (so a gunicorn --preload or Celery
prefork master may import it before forking); the first real use does, and
raises ImportError there when the library cannot be used."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest

import support

import teleradyoloji
from teleradyoloji import _native

REAL_LIBRARY = os.path.join(support.REPO, "build", _native.LIBRARY_NAME)


def run_python(code, **env_changes):
    """Runs code in a fresh interpreter importing the package from the checkout."""
    env = dict(os.environ, PYTHONPATH=support.BINDING)
    env.pop("TELERADYOLOJI_LIBRARY", None)
    for key, value in env_changes.items():
        env[key] = value
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, timeout=60)


# Prints the loader's ImportError, whether the package loads the library at
# import or at first use.
OPEN_OR_IMPORT = textwrap.dedent("""
    try:
        import teleradyoloji._native as n
        n._open()
    except ImportError as e:
        print("ImportError:", e)
    """)


def build_fake_library(directory, source):
    """Compiles a small C library standing in for a mismatched libteleradyoloji."""
    src = os.path.join(directory, "fake.c")
    with open(src, "w") as f:
        f.write(source)
    out = os.path.join(directory, _native.LIBRARY_NAME)
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        raise AssertionError("no C compiler: install gcc (make test-python does)")
    subprocess.run([cc, "-shared", "-fPIC", "-o", out, src], check=True)
    return out


class LoaderTest(unittest.TestCase):
    def test_checkout_build_by_default(self):
        if "TELERADYOLOJI_LIBRARY" not in os.environ:
            self.assertEqual(_native.library_path, REAL_LIBRARY)
        self.assertEqual(_native.abi_version, 1)

    def test_library_from_environment(self):
        with tempfile.TemporaryDirectory() as tmp:
            copy = os.path.join(tmp, "kopya-" + _native.LIBRARY_NAME)
            shutil.copy(REAL_LIBRARY, copy)
            proc = run_python("import teleradyoloji, teleradyoloji._native as n;"
                              "print(n.library_path); print(teleradyoloji.version())",
                              TELERADYOLOJI_LIBRARY=copy)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stdout.split("\n")[:2], [copy, teleradyoloji.version()])

    def test_import_error_lists_what_was_tried(self):
        # A copy of the package outside the checkout: nothing packaged, no build/.
        with tempfile.TemporaryDirectory() as tmp:
            shutil.copytree(os.path.join(support.BINDING, "teleradyoloji"),
                            os.path.join(tmp, "teleradyoloji"))
            missing = os.path.join(tmp, "yok", _native.LIBRARY_NAME)
            env = dict(PYTHONPATH=tmp, TELERADYOLOJI_LIBRARY=missing, LD_LIBRARY_PATH="")
            proc = run_python(OPEN_OR_IMPORT, **env)
            first_use = run_python("import teleradyoloji; print('imported', flush=True);"
                                   "teleradyoloji.Client(institution_code='1')", **env)
        self.assertIn("ImportError", proc.stdout)
        self.assertIn(os.path.join(tmp, "teleradyoloji", _native.LIBRARY_NAME)
                      + " (packaged): not found", proc.stdout)
        self.assertIn(missing + " (TELERADYOLOJI_LIBRARY): not found", proc.stdout)
        self.assertIn("libteleradyoloji.so.1 (the system search path): libteleradyoloji.so.1: "
                      "cannot open shared object file", proc.stdout)
        self.assertNotIn("build/", proc.stdout)
        # The import itself loads nothing: the error comes at first use.
        self.assertNotEqual(first_use.returncode, 0)
        self.assertEqual(first_use.stdout, "imported\n")
        self.assertIn("ImportError", first_use.stderr)

    def test_import_loads_nothing_first_use_loads(self):
        code = textwrap.dedent("""
            import teleradyoloji
            from teleradyoloji import _native
            def mapped():
                with open("/proc/self/maps") as f:
                    return _native.LIBRARY_NAME in f.read()
            print(_native.is_loaded(), mapped())
            teleradyoloji.version()
            print(_native.is_loaded(), mapped())
            """)
        proc = run_python(code)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stdout.split("\n")[:2], ["False False", "True True"])

    def test_loads_once_from_many_threads(self):
        code = textwrap.dedent("""
            import threading
            import teleradyoloji
            from teleradyoloji import _native
            barrier = threading.Barrier(8)
            seen = []
            def first_use():
                barrier.wait()
                seen.append((id(_native.library()), teleradyoloji.version()))
            threads = [threading.Thread(target=first_use) for _ in range(8)]
            for t in threads: t.start()
            for t in threads: t.join()
            print(len(seen), len(set(seen)))
            """)
        proc = run_python(code)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stdout.strip(), "8 1")

    def test_client_checks_config_without_loading_makes_native_client_on_first_use(self):
        # The config is checked at construction (core's rules, in a forked
        # child), nothing is loaded here until the first call; 8 threads
        # making the first call at once share one native client.
        code = textwrap.dedent("""
            import json, sys, threading
            import teleradyoloji
            from teleradyoloji import _native
            def mapped():
                with open("/proc/self/maps") as f:
                    return _native.LIBRARY_NAME in f.read()
            good = json.loads(sys.argv[1])
            try:
                teleradyoloji.Client(**dict(good, pasword="x"))
            except teleradyoloji.ConfigError as e:
                print("ConfigError", "bilinmeyen" in e.message_tr)
            client = teleradyoloji.Client(**good)
            print(_native.is_loaded(), mapped())
            barrier = threading.Barrier(8)
            handles = []
            def first_use():
                barrier.wait()
                client.service_token()
                handles.append(client._handle)
            threads = [threading.Thread(target=first_use) for _ in range(8)]
            for t in threads: t.start()
            for t in threads: t.join()
            print(_native.is_loaded(), mapped(), len(handles), len(set(handles)))
            client.close()
            try:
                client.service_token()
            except teleradyoloji.BadHandleError:
                print("closed")
            """)
        env = dict(os.environ, PYTHONPATH=support.BINDING)
        proc = subprocess.run([sys.executable, "-c", code, json.dumps(support.settings())], env=env,
                              capture_output=True, text=True, timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stdout.splitlines(),
                         ["ConfigError True", "False False", "True True 8 1", "closed"])

    def test_config_check_child_that_hangs_is_not_waited_for(self):
        # A forked child can hang on a lock another thread held at the fork:
        # the constructor gives up on it after CONFIG_CHECK_TIMEOUT_S, kills
        # it, and checks in this process instead (as without fork).
        code = textwrap.dedent("""
            import json, os, sys, time
            import teleradyoloji
            from teleradyoloji import _native
            _native.CONFIG_CHECK_TIMEOUT_S = 0.5
            real = _native.library
            parent = os.getpid()
            def hang_in_child():
                if os.getpid() != parent:
                    time.sleep(120)
                return real()
            _native.library = hang_in_child
            started = time.monotonic()
            print(_native.check_config_elsewhere(json.loads(sys.argv[1])))
            print(time.monotonic() - started < 60)
            """)
        env = dict(os.environ, PYTHONPATH=support.BINDING)
        proc = subprocess.run([sys.executable, "-c", code, json.dumps(support.settings())], env=env,
                              capture_output=True, text=True, timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stdout.splitlines(), ["False", "True"])

    def test_import_error_lists_default_candidates(self):
        code = textwrap.dedent("""
            import os
            from teleradyoloji import _native
            os.environ.pop("TELERADYOLOJI_LIBRARY", None)
            _native.candidates = lambda: [("next to the package", "/nonexistent/a.so"),
                                          ("the checkout's build/", "/nonexistent/b.so")]
            try:
                _native._open()
            except ImportError as e:
                print(e)
            """)
        proc = run_python(code)
        self.assertIn("/nonexistent/a.so (next to the package): not found", proc.stdout)
        self.assertIn("/nonexistent/b.so (the checkout's build/): not found", proc.stdout)
        self.assertIn("TELERADYOLOJI_LIBRARY", proc.stdout)

    def test_default_candidates_in_order(self):
        here = os.path.dirname(os.path.abspath(_native.__file__))
        saved = os.environ.pop("TELERADYOLOJI_LIBRARY", None)
        try:
            paths = [p for _, p in _native.candidates()]
            os.environ["TELERADYOLOJI_LIBRARY"] = "/elsewhere/lib.so"
            with_env = [p for _, p in _native.candidates()]
        finally:
            os.environ.pop("TELERADYOLOJI_LIBRARY", None)
            if saved is not None:
                os.environ["TELERADYOLOJI_LIBRARY"] = saved
        packaged = os.path.join(here, _native.LIBRARY_NAME)
        self.assertEqual(paths, [packaged, REAL_LIBRARY, "libteleradyoloji.so.1"])
        self.assertEqual(with_env, [packaged, "/elsewhere/lib.so", REAL_LIBRARY,
                                    "libteleradyoloji.so.1"])

    def test_refuses_other_abi_version(self):
        with tempfile.TemporaryDirectory() as tmp:
            fake = build_fake_library(tmp, "int trl_abi_version(void) { return 2; }\n")
            proc = run_python("import teleradyoloji; teleradyoloji.version()", TELERADYOLOJI_LIBRARY=fake)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("has ABI version 2; this binding supports 1", proc.stderr)

    def test_missing_symbol_means_versions_differ(self):
        with tempfile.TemporaryDirectory() as tmp:
            fake = build_fake_library(tmp, "int trl_abi_version(void) { return 1; }\n")
            proc = run_python("import teleradyoloji; teleradyoloji.version()", TELERADYOLOJI_LIBRARY=fake)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("has no trl_version", proc.stderr)
        self.assertIn("different versions", proc.stderr)

    def test_prototype_table_covers_the_header(self):
        header = open(os.path.join(support.REPO, "include", "teleradyoloji.h")).read()
        import re

        declared = set(re.findall(r"TRL_CALL (trl_\w+)\(", header))
        self.assertEqual(declared, {row[0] for row in _native.PROTOTYPES})
        for name, _, restype, _ in _native.PROTOTYPES:
            if name not in ("trl_version", "trl_status_name"):
                self.assertNotEqual(restype, _native.c_char_p, name)

    def test_prototypes_have_the_header_widths(self):
        # In a 32-bit process (make test-x86-linux) an int64_t* declared c_long, or a
        # trl_client declared 8 bytes wide, would pass unseen by values (expiry times fit 32 bits).
        import ctypes
        import re

        pointer = ctypes.sizeof(ctypes.c_void_p)
        header = re.sub(r"/\*.*?\*/", "", open(os.path.join(support.REPO, "include", "teleradyoloji.h")).read(),
                        flags=re.S)

        def expected(text):
            t = " ".join(text.replace("const", "").replace("*", " * ").split())
            if t.endswith("*"):  # a pointer: to what width (None: any)
                return ("pointer", {"int64_t": 8, "int32_t": 4}.get(t[:-1].strip()))
            if t == "trl_log_fn":
                return ("cdecl function", None)
            return ("value", {"int32_t": 4, "trl_client": pointer, "uintptr_t": pointer}[t])

        def declared(ctype):
            if isinstance(ctype, type) and issubclass(ctype, ctypes._CFuncPtr):
                cdecl = ctype._flags_ & ctypes._FUNCFLAG_CDECL
                return ("cdecl function" if cdecl else "other function", None)
            if ctype in (ctypes.c_char_p, ctypes.c_void_p):
                return ("pointer", None)
            if issubclass(ctype, ctypes._Pointer):
                return ("pointer", ctypes.sizeof(ctype._type_))
            return ("value", ctypes.sizeof(ctype))

        exports = dict(re.findall(r"TRL_CALL (trl_\w+)\(([^)]*)\)", header))
        for name, argtypes, _, _ in _native.PROTOTYPES:
            params = [p for p in exports[name].split(",") if p.strip() not in ("", "void")]
            self.assertEqual(len(argtypes), len(params), name)
            for param, ctype in zip(params, argtypes):
                want, got = expected(re.sub(r"\w+\s*$", "", param)), declared(ctype)
                ok = want[0] == got[0] and (want[1] is None or want[1] == got[1])
                self.assertTrue(ok, "%s(%s): %s declared as %s (%d-bit process)"
                                % (name, param.strip(), want, got, 8 * pointer))


if __name__ == "__main__":
    unittest.main()
