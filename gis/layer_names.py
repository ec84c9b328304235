"""Layer names: short, lower-case identifiers safe as file and table names."""

import re

from gis.errors import PlannerError

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,47}$")


def is_layer_name(name) -> bool:
    return isinstance(name, str) and _NAME.match(name) is not None


def check_layer_name(name: str) -> str:
    if not is_layer_name(name):
        raise PlannerError(
            f"layer name {name!r} must be lower-case letters, digits and _ and start with a letter"
        )
    return name
