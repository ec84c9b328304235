"""`Schema.dump`, the same answer without marshmallow's per-field machinery.

marshmallow dumps a record field by field through `Field.serialize`, the schema's
`get_attribute`, `Field.get_value` and `utils.get_value` before the field's own
`_serialize`: most of the time of a long list (a case's 150 households are some 7,000
fields). Here a schema is read once, into a plan of (key, how to get the value, the
field's own `_serialize`), and a dump runs the plan. The schema stays the one
definition of the answer (and the OpenAPI document's): the plan calls each field's own
`_serialize` (a Function field's own function), nested schemas get their own plan,
and the schema's pre_dump/post_dump hooks run as `Schema.dump` runs them. A field or
schema that changes how values are read (its own `serialize`, `get_value` or
`get_attribute`) keeps marshmallow's way, field by field, so the answer is always
`schema_cls().dump(obj)`, byte for byte (tests/unit/test_schema_dump.py).
"""

from __future__ import annotations

from marshmallow import Schema, fields, missing
from marshmallow.decorators import POST_DUMP, PRE_DUMP
from marshmallow.utils import get_value

# How a step gets its value.
_VALUE = 0  # a key of the record, then the field's `_serialize`
_NESTED = 1  # a key holding a nested record (or records): its schema's plan
_LIST_OF_NESTED = 2  # a key holding a list of nested records: their schema's plan
_FUNCTION = 3  # a Function field: its own function of the record
_GENERIC = 4  # marshmallow's `Field.serialize`

_NONE = type(None)


def _unchanged(field: fields.Field) -> frozenset | None:
    """The types of value the field's `_serialize` gives back as they are (None: any):
    a plain String's str, a plain Integer's int, a field without a `_serialize` of its own
    (Boolean, Raw) anything. The plan skips the call for those."""
    own = type(field)._serialize
    if own is fields.Field._serialize:
        return None
    if own is fields.String._serialize:
        return frozenset((str, _NONE))  # ensure_text_type: str(value)
    if (
        own is fields.Number._serialize
        and type(field)._format_num is fields.Number._format_num
        and field.num_type is int
        and not field.as_string
    ):
        return frozenset((int, _NONE))  # int(value); bool is not int here (type, not isinstance)
    return frozenset()


class _Plan:
    """A schema instance's dump, step by step."""

    __slots__ = ("_own", "_post", "_pre", "_schema", "_steps", "many")

    def __init__(self, schema: Schema):
        self._schema = schema
        self.many = schema.many
        self._pre = bool(schema._hooks[PRE_DUMP])
        self._post = bool(schema._hooks[POST_DUMP])
        # A schema that dumps its own way, or reads values or builds rows its own way,
        # is dumped by its own `dump`.
        cls = type(schema)
        self._own = (
            cls.dump is not Schema.dump
            or cls._serialize is not Schema._serialize
            or cls.get_attribute is not Schema.get_attribute
            or schema.dict_class is not dict
        )
        self._steps = (
            ()
            if self._own
            else tuple(_step(name, field) for name, field in schema.dump_fields.items())
        )

    def dump(self, obj, many: bool):
        """`Schema.dump(obj, many=many)`."""
        schema = self._schema
        if self._own:
            return schema.dump(obj, many=many)
        processed = (
            schema._invoke_dump_processors(PRE_DUMP, obj, many=many, original_data=obj)
            if self._pre
            else obj
        )
        if many and processed is not None:
            result = [self._row(item) for item in processed]
        else:
            result = self._row(processed)
        if self._post:
            result = schema._invoke_dump_processors(POST_DUMP, result, many=many, original_data=obj)
        return result

    def _row(self, obj) -> dict:
        """`Schema._serialize(obj)` of one record."""
        plain = type(obj) is dict
        row = {}
        for kind, key, name, attr, serialize, unchanged, default in self._steps:
            if kind == _FUNCTION:
                value = serialize(obj)
            elif kind == _GENERIC:
                value = serialize(name, obj, accessor=get_value)
            else:
                # utils.get_value: obj[attr], else the attribute (a dict's own too).
                if plain:
                    try:
                        value = obj[attr]
                    except KeyError:
                        value = getattr(obj, attr, missing)
                else:
                    value = get_value(obj, attr, missing)
                if value is missing:
                    value = default() if callable(default) else default
                    if value is missing:
                        continue
                if kind == _VALUE:
                    if unchanged is not None and type(value) not in unchanged:
                        value = serialize(value, name, obj)
                elif value is not None:
                    plan, many = serialize
                    if kind == _NESTED:
                        value = plan.dump(value, many)
                    else:  # _LIST_OF_NESTED
                        value = [None if v is None else plan.dump(v, many) for v in value]
            if value is not missing:
                row[key] = value
        return row


def _overrides(field: fields.Field, name: str, base: type) -> bool:
    return getattr(type(field), name) is not getattr(base, name)


def _nested(field: fields.Nested) -> tuple[_Plan, bool] | None:
    """A nested field's schema as a plan, with `many` as `Nested._serialize` sets it."""
    if type(field) is not fields.Nested:  # Pluck and the like have their own _serialize
        return None
    schema = field.schema
    return _Plan(schema), bool(schema.many or field.many)


def _step(name: str, field: fields.Field) -> tuple:
    """How to dump one field of a schema that reads values with `utils.get_value`:
    (kind, key, name, attr, serialize, unchanged, default)."""
    key = field.data_key if field.data_key is not None else name
    if _overrides(field, "serialize", fields.Field):
        return (_GENERIC, key, name, None, field.serialize, None, None)
    if not field._CHECK_ATTRIBUTE:
        if type(field) is fields.Function:
            return (_FUNCTION, key, name, None, field.serialize_func, None, None)
        return (_GENERIC, key, name, None, field.serialize, None, None)
    attr = name if field.attribute is None else field.attribute
    if _overrides(field, "get_value", fields.Field) or "." in attr:  # a path: marshmallow's
        return (_GENERIC, key, name, None, field.serialize, None, None)
    default = field.dump_default
    if isinstance(field, fields.Nested):
        nested = _nested(field)
        if nested is None:
            return (_GENERIC, key, name, None, field.serialize, None, None)
        return (_NESTED, key, name, attr, nested, None, default)
    if type(field) is fields.List and isinstance(field.inner, fields.Nested):
        nested = _nested(field.inner)
        if nested is None:
            return (_GENERIC, key, name, None, field.serialize, None, None)
        return (_LIST_OF_NESTED, key, name, attr, nested, None, default)
    return (_VALUE, key, name, attr, field._serialize, _unchanged(field), default)


_PLANS: dict[type[Schema], _Plan] = {}


def dump(schema_cls: type[Schema], obj, *, many: bool | None = None):
    """`schema_cls().dump(obj, many=many)`, by the schema's plan (made once per class)."""
    plan = _PLANS.get(schema_cls)
    if plan is None:
        plan = _PLANS[schema_cls] = _Plan(schema_cls())
    return plan.dump(obj, plan.many if many is None else bool(many))
