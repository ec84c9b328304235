"""app/schema_dump.py: a schema's plan dumps exactly what `Schema.dump` dumps, the same
values of the same types in the same order, whatever the fields, hooks and objects.
(The households' schemas, over the real app, are in tests/test_cases_api.py.)"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from marshmallow import Schema, fields, post_dump, pre_dump

from app import schema_dump


def same(schema_cls, obj, many=None) -> None:
    """The plan's dump is marshmallow's, to the type (repr tells 1 from True and 1.0)."""
    expected = schema_cls().dump(obj, many=many)
    got = schema_dump.dump(schema_cls, obj, many=many)
    assert repr(got) == repr(expected)
    assert got == expected


class Upper(fields.Field):
    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else str(value).upper()


class Skipped(fields.Field):
    """A field that leaves itself out of the answer (returns `missing`)."""

    def _serialize(self, value, attr, obj, **kwargs):
        from marshmallow import missing

        return missing if value == "skip" else value


class Inner(Schema):
    code = fields.String()
    n = fields.Integer(allow_none=True)


class InnerHooks(Schema):
    code = fields.String()
    seen = fields.Integer()

    @pre_dump
    def _wrap(self, obj, **kwargs):
        return {"code": obj} if isinstance(obj, str) else obj

    @post_dump
    def _mark(self, data, **kwargs):
        return {**data, "marked": True}


class Everything(Schema):
    id = fields.Integer()
    flag = fields.Boolean(allow_none=True)
    text = fields.String(allow_none=True)
    number_text = fields.Integer(as_string=True)
    ratio = fields.Float(allow_none=True)
    price = fields.Decimal(as_string=True, allow_none=True)
    on = fields.Date(allow_none=True)
    at = fields.DateTime(allow_none=True)
    at_ts = fields.DateTime(format="timestamp", allow_none=True)
    day = fields.Date(format="%d/%m/%Y", allow_none=True)
    raw = fields.Raw(allow_none=True)
    mapping = fields.Dict(keys=fields.String(), values=fields.Integer())
    tags = fields.List(fields.String())
    shout = Upper(allow_none=True)
    maybe = Skipped()
    renamed = fields.String(data_key="other-name")
    moved = fields.String(attribute="source")
    deep = fields.String(attribute="inner.code")
    defaulted = fields.String(dump_default="dflt")
    defaulted_later = fields.Integer(dump_default=lambda: 7)
    inner = fields.Nested(Inner, allow_none=True)
    inners = fields.List(fields.Nested(Inner), allow_none=True)
    many_inner = fields.Nested(Inner, many=True)
    only_inner = fields.Nested(Inner, only=("code",))
    hooked = fields.List(fields.Nested(InnerHooks))
    plucked = fields.Pluck(Inner, "code", allow_none=True)
    computed = fields.Function(lambda d: f"{d['id']}-{d.get('text')}")
    method = fields.Method("_method")
    constant = fields.Constant("always")
    secret = fields.String(load_only=True)

    def _method(self, obj):
        return obj["id"] * 2


ROW = {
    "id": 3,
    "flag": True,
    "text": "ข้อความ",
    "number_text": 12,
    "ratio": 0.5,
    "price": "12.50",
    "on": dt.date(2024, 2, 29),
    "at": dt.datetime(2024, 2, 29, 13, 5, 7, 123),
    "at_ts": dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
    "day": dt.date(2567, 1, 9),
    "raw": {"a": [1, 2]},
    "mapping": {"a": 1},
    "tags": ["x", "y"],
    "shout": "loud",
    "maybe": "kept",
    "renamed": "r",
    "source": "from source",
    "defaulted": "given",
    "inner": {"code": "c1", "n": 1},
    "inners": [{"code": "c2", "n": None}, None, {"code": "c3"}],
    "many_inner": [{"code": "c4", "n": 4}],
    "only_inner": {"code": "c5", "n": 5},
    "hooked": ["plain", {"code": "d", "seen": 2}],
    "plucked": {"code": "pl"},
    "secret": "never",
}


def odd_row() -> dict:
    """Values marshmallow converts, Nones, and keys left out."""
    row = dict(ROW)
    row.update(
        id=True,  # int(True): 1
        flag=None,
        text=5,  # str(5)
        number_text="0012",
        ratio=2,  # float(2)
        price=None,
        on=None,
        at=None,
        at_ts=None,
        day=None,
        raw=None,
        shout=None,
        maybe="skip",
        renamed=b"bytes",
        inner=None,
        inners=None,
        plucked=None,
    )
    for key in ("defaulted", "source", "tags", "mapping", "many_inner"):
        del row[key]
    return row


@pytest.mark.parametrize("row", [ROW, odd_row(), {"id": 1}], ids=["full", "odd", "sparse"])
def test_every_kind_of_field_dumps_as_marshmallow_dumps_it(row):
    same(Everything, row)


def test_many_and_objects_other_than_dicts():
    same(Everything, [ROW, odd_row()], many=True)
    same(Everything, [], many=True)
    same(Inner, SimpleNamespace(code="ns", n=2))
    same(Inner, [SimpleNamespace(code="ns", n=None), {"code": "d"}], many=True)


@dataclass
class Thing:
    id: int
    name: str | None
    when: dt.date | None = None


class RecordLike(Schema):
    """Like app/cases_schemas.py's Record: a dataclass made a dict before dumping."""

    id = fields.Integer()
    name = fields.String(allow_none=True)
    when = fields.Date(allow_none=True)
    label = fields.Function(lambda d: None if d["name"] is None else {"en": d["name"]})

    @pre_dump
    def _as_dict(self, obj, **kwargs):
        return {"id": obj.id, "name": obj.name, "when": obj.when}


class Envelope(Schema):
    items = fields.List(fields.Nested(RecordLike))
    total = fields.Integer()

    @pre_dump(pass_collection=True)
    def _count(self, obj, many, **kwargs):
        return {**obj, "total": len(obj["items"])} if not many else obj

    @post_dump(pass_original=True)
    def _echo(self, data, original, **kwargs):
        return {**data, "had_total": "total" in original}


def test_hooks_run_as_in_schema_dump():
    things = [Thing(1, "a", dt.date(2020, 1, 2)), Thing(2, None)]
    same(RecordLike, things[0])
    same(RecordLike, things, many=True)
    same(Envelope, {"items": things})
    same(Envelope, [{"items": things}, {"items": [], "total": 9}], many=True)


class OwnAccess(Schema):
    """A schema that reads values its own way is dumped by its own `dump`."""

    a = fields.String()

    def get_attribute(self, obj, attr, default):
        return f"<{attr}>"


class ManyByDefault(Schema):
    a = fields.String()

    class Meta:
        many = True


def test_a_schema_reading_values_its_own_way_and_a_schema_of_many():
    same(OwnAccess, {"a": "x"})
    same(ManyByDefault, [{"a": "x"}, {"a": None}])


def test_the_plan_is_made_once_per_schema():
    schema_dump.dump(Inner, {"code": "x"})
    plan = schema_dump._PLANS[Inner]
    schema_dump.dump(Inner, {"code": "y"})
    assert schema_dump._PLANS[Inner] is plan
