"""The protocol's rule language: small, typed, side-effect free, never ``eval``.

A condition is one expression over screening fields, for example::

    prior_nephrectomy == true
    histology == 'clear_cell_predominant'
    metastases_resected <= 3
    months_between(nephrectomy_date, metastases_diagnosis_date) > 12
    0 <= days_between(metastasectomy_date, randomisation_date) <= 84

The text is parsed by Python's own parser (``ast.parse(mode="eval")``) and then only a
whitelist of nodes is accepted and interpreted here: comparisons (``== != < <= > >= in
not in``, chained), ``and``/``or``/``not``, field names, literals (numbers, quoted strings,
``true``/``false``, lists for ``in``) and the date functions below. Anything else (attribute
access, subscripts, arithmetic, other calls, lambdas) is rejected when the protocol loads.

Date functions (units stated, never guessed):

``days_between(a, b)``
    whole days from date ``a`` to date ``b`` (``b - a``; negative when ``b`` is earlier).
``months_between(a, b)``
    ``days_between(a, b) / 30.4375`` (months = days / 30.4375, the trialdesk convention), so
    ``> 12`` means more than 365.25 days, i.e. at least 366 days.

Besides screening fields a rule may name ``randomisation_date``, known only when the
patient is randomised: a criterion that uses it is checked at randomisation, not at screening.
"""

from __future__ import annotations

import ast
import datetime as dt
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema

__all__ = ["CONTEXT_FIELDS", "DAYS_PER_MONTH", "Condition", "FieldTypes"]

logger = logging.getLogger(__name__)

#: Names a rule may use besides the screening fields, with their types.
CONTEXT_FIELDS: dict[str, str] = {"randomisation_date": "date"}

#: Field name -> its type ("date", "bool", "int", "float", "choice") and, for choices, the choices.
FieldTypes = Mapping[str, tuple[str, tuple[str, ...]]]

#: The trialdesk convention for months (the one definition; simulate and analysis use it).
DAYS_PER_MONTH = 30.4375


def _days_between(start: dt.date, end: dt.date) -> int:
    return (end - start).days


def _months_between(start: dt.date, end: dt.date) -> float:
    return (end - start).days / DAYS_PER_MONTH


_FUNCTIONS: dict[str, Callable[[dt.date, dt.date], float]] = {
    "days_between": _days_between,
    "months_between": _months_between,
}
_COMPARE: dict[type, Callable[[Any, Any], bool]] = {
    ast.Eq: lambda a, b: a == b,
    ast.NotEq: lambda a, b: a != b,
    ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b,
    ast.Gt: lambda a, b: a > b,
    ast.GtE: lambda a, b: a >= b,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
}
_ORDERING = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)
_LITERAL_NAMES = {"true": True, "false": False}
_NUMERIC = {"int", "float", "number"}


class ConditionSyntaxError(ValueError):
    """A rule that is not in the rule language; the message says which part."""


def _literal_type(value: object) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return "str"


@dataclass(frozen=True)
class Condition:
    """A parsed rule: its text, the fields it reads, and how to evaluate it.

    Build one with ``Condition.parse(text)``; pydantic models accept the text directly.
    """

    text: str
    tree: ast.Expression = field(compare=False, repr=False)

    @classmethod
    def parse(cls, text: str) -> Condition:
        """Parse and check the syntax of ``text``; raises ``ValueError`` naming the bad part."""
        if not isinstance(text, str) or not text.strip():
            raise ConditionSyntaxError("a rule must be a non-empty text")
        try:
            tree = ast.parse(text.strip(), mode="eval")
        except SyntaxError as exc:
            raise ConditionSyntaxError(f"rule {text!r} is not valid: {exc.msg}") from exc
        _check_syntax(tree.body, text)
        return cls(text=text.strip(), tree=tree)

    @property
    def fields(self) -> frozenset[str]:
        """Names of the fields the rule reads (screening fields and ``randomisation_date``)."""
        return frozenset(
            node.id for node in ast.walk(self.tree)
            if isinstance(node, ast.Name) and node.id not in _LITERAL_NAMES
            and node.id not in _FUNCTIONS)

    def check_types(self, types: FieldTypes) -> None:
        """Check names and operand types against the fields' types; ``ValueError`` if wrong."""
        _require_bool(self.tree.body, {**types, **{k: (v, ()) for k, v in CONTEXT_FIELDS.items()}})

    def evaluate(self, values: Mapping[str, object]) -> bool:
        """The rule's truth for typed ``values``; every name in ``fields`` must be present."""
        return bool(_evaluate(self.tree.body, values))

    def __str__(self) -> str:
        return self.text

    @classmethod
    def _validate(cls, value: object) -> Condition:
        return value if isinstance(value, Condition) else cls.parse(value)  # type: ignore[arg-type]

    @classmethod
    def __get_pydantic_core_schema__(cls, source: type, handler: GetCoreSchemaHandler
                                     ) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls._validate, json_schema_input_schema=core_schema.str_schema(),
            serialization=core_schema.plain_serializer_function_ser_schema(
                lambda c: c.text, return_schema=core_schema.str_schema()))


def _check_syntax(node: ast.AST, text: str) -> None:
    """Reject every node outside the rule language."""
    match node:
        case ast.BoolOp(values=values):
            for value in values:
                _check_syntax(value, text)
        case ast.UnaryOp(op=ast.Not(), operand=operand):
            _check_syntax(operand, text)
        case ast.UnaryOp(op=ast.USub(), operand=ast.Constant(value=int() | float())):
            pass
        case ast.Compare(left=left, comparators=comparators):
            for operand in (left, *comparators):
                _check_syntax(operand, text)
        case ast.Name():
            pass
        case ast.Constant(value=str() | int() | float() | bool()):
            pass
        case ast.List(elts=elements) | ast.Tuple(elts=elements):
            for element in elements:
                if not isinstance(element, ast.Constant):
                    raise ConditionSyntaxError(f"rule {text!r}: a list may hold only literals")
        case ast.Call(func=ast.Name(id=name), args=args, keywords=[]) if name in _FUNCTIONS:
            if len(args) != 2 or not all(isinstance(a, ast.Name) for a in args):
                raise ConditionSyntaxError(f"rule {text!r}: {name}() takes two date field names")
        case ast.Call():
            raise ConditionSyntaxError(
                f"rule {text!r}: unknown function; use {' or '.join(sorted(_FUNCTIONS))}")
        case _:
            raise ConditionSyntaxError(
                f"rule {text!r}: {ast.unparse(node)!r} is not allowed in a rule "
                "(use comparisons, and/or/not, field names, literals, days_between, months_between)")


def _infer(node: ast.AST, types: Mapping[str, tuple[str, tuple[str, ...]]]) -> tuple[str, tuple]:
    """The type of ``node`` ("bool", "number", "int", "float", "date", "str", "choice", "list")."""
    match node:
        case ast.BoolOp(values=values):
            for value in values:
                _require_bool(value, types)
            return "bool", ()
        case ast.UnaryOp(op=ast.Not(), operand=operand):
            _require_bool(operand, types)
            return "bool", ()
        case ast.UnaryOp():
            return "number", ()
        case ast.Name(id=name) if name in _LITERAL_NAMES:
            return "bool", ()
        case ast.Name(id=name):
            if name not in types:
                raise ValueError(f"rule names {name!r}, which is not a screening field "
                                 f"(known: {', '.join(sorted(types))})")
            return types[name]
        case ast.Constant(value=value):
            return _literal_type(value), (value,)
        case ast.List(elts=elements) | ast.Tuple(elts=elements):
            return "list", tuple(e.value for e in elements if isinstance(e, ast.Constant))
        case ast.Call(args=args):
            for arg in args:
                if _infer(arg, types)[0] != "date":
                    raise ValueError(f"{ast.unparse(node)}: arguments must be date fields")
            return "number", ()
        case ast.Compare(left=left, ops=ops, comparators=comparators):
            operands = [left, *comparators]
            for op, a, b in zip(ops, operands, operands[1:], strict=False):
                _check_comparison(op, _infer(a, types), _infer(b, types), ast.unparse(node))
            return "bool", ()
    raise ValueError(f"{ast.unparse(node)!r} is not allowed in a rule")  # pragma: no cover


def _require_bool(node: ast.AST, types: Mapping[str, tuple[str, tuple[str, ...]]]) -> None:
    if _infer(node, types)[0] != "bool":
        raise ValueError(f"{ast.unparse(node)!r} is not true/false; compare it with something")


def _check_comparison(op: ast.cmpop, left: tuple[str, tuple], right: tuple[str, tuple],
                      where: str) -> None:
    (left_type, left_values), (right_type, right_values) = left, right
    if isinstance(op, (ast.In, ast.NotIn)):
        if right_type != "list":
            raise ValueError(f"{where}: 'in' needs a list on the right, like ['lung', 'other']")
        _check_values(left_type, left_values, right_values, where)
        return
    kinds = {left_type, right_type}
    if "choice" in kinds:
        choice_values = left_values if left_type == "choice" else right_values
        other_type, other_values = right if left_type == "choice" else left
        if other_type != "str":
            raise ValueError(f"{where}: a choice field compares with a quoted level")
        _check_values("choice", choice_values, other_values, where)
        if isinstance(op, _ORDERING):
            raise ValueError(f"{where}: choices have no order; use == or in")
        return
    if kinds <= _NUMERIC or len(kinds) == 1:
        if isinstance(op, _ORDERING) and kinds & {"bool", "str"}:
            raise ValueError(f"{where}: {left_type} values have no order")
        return
    raise ValueError(f"{where}: cannot compare {left_type} with {right_type}")


def _check_values(field_type: str, choices: tuple, values: tuple, where: str) -> None:
    if field_type == "choice":
        unknown = [v for v in values if v not in choices]
        if unknown:
            raise ValueError(f"{where}: {unknown[0]!r} is not one of the choices {list(choices)}")


def _evaluate(node: ast.AST, values: Mapping[str, object]) -> object:
    match node:
        case ast.BoolOp(op=ast.And(), values=operands):
            return all(_evaluate(v, values) for v in operands)
        case ast.BoolOp(values=operands):
            return any(_evaluate(v, values) for v in operands)
        case ast.UnaryOp(op=ast.Not(), operand=operand):
            return not _evaluate(operand, values)
        case ast.UnaryOp(operand=ast.Constant(value=value)):
            return -value
        case ast.Name(id=name) if name in _LITERAL_NAMES:
            return _LITERAL_NAMES[name]
        case ast.Name(id=name):
            return values[name]
        case ast.Constant(value=value):
            return value
        case ast.List(elts=elements) | ast.Tuple(elts=elements):
            return tuple(_evaluate(e, values) for e in elements)
        case ast.Call(func=ast.Name(id=name), args=args):
            return _FUNCTIONS[name](*(_evaluate(a, values) for a in args))
        case ast.Compare(left=left, ops=ops, comparators=comparators):
            operands = [_evaluate(o, values) for o in (left, *comparators)]
            return all(_COMPARE[type(op)](a, b)
                       for op, a, b in zip(ops, operands, operands[1:], strict=False))
    raise ValueError(f"{ast.unparse(node)!r} is not allowed in a rule")  # pragma: no cover
