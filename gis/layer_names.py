"""Layer names: short, lower-case identifiers safe as file and table names."""

import re

from gis.errors import PlannerError

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,47}$")


def check_layer_name(name: str) -> str:
    if not isinstance(name, str) or not _NAME.match(name):
        raise PlannerError(
            f"layer name {name!r} must be lower-case letters, digits and _ and start with a letter"
        )
    return name
