"""The one thing pyproject.toml cannot say: the wheel carries the top-level `layers/`
folder (catalogue, rules, the built sample) as package data at `gis/_layers/`, while
the checkout keeps `layers/` where it is. Everything else is in pyproject.toml;
docs/decisions/0014-packaging.md says why."""

from setuptools import find_namespace_packages, setup

LAYERS = [
    "gis._layers",
    "gis._layers.rules",
    "gis._layers.sample",
    "gis._layers.national",
]  # layers/sources stays out

setup(
    packages=[*find_namespace_packages(include=["app*", "gis*", "cases*"]), *LAYERS],
    package_dir={"gis._layers": "layers"},
)
