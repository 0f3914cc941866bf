"""Tags the wheel for this platform: it bundles the native library.

The package itself is pure Python (ctypes), so any CPython 3.8+ can use it:
the tag is py3-none-<platform>.  Metadata lives in pyproject.toml.
"""
from setuptools import setup
from setuptools.dist import Distribution


class BinaryDistribution(Distribution):
    """Holds a native library: files go to the wheel's root (platlib)."""

    def has_ext_modules(self):
        return True


cmdclass = {}
try:
    from wheel.bdist_wheel import bdist_wheel
except ImportError:  # no wheel package: other commands still work
    pass
else:
    class PlatformWheel(bdist_wheel):
        def get_tag(self):
            return ("py3", "none", super().get_tag()[2])

    cmdclass["bdist_wheel"] = PlatformWheel

setup(distclass=BinaryDistribution, cmdclass=cmdclass)
