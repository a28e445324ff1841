"""Question types: pure, one module per type, looked up by name in one registry.

Adding a type is one module here (a `QuestionType` subclass), listed in
`_MODULES`; storage needs no migration (one `type` column + JSON definition).
"""

from __future__ import annotations

from importlib import import_module

from quiz.question_types.base import (
    AnswerError,
    DefinitionError,
    ItemGrade,
    ManualGradeError,
    Problem,
    QuestionType,
    RubricCriterion,
)

_MODULES = (
    "single_choice",
    "multiple_choice",
    "true_false",
    "numeric",
    "short_text",
    "ordering",
    "essay",
    "comparison",
    "code",
)


class UnknownQuestionType(KeyError):
    def __str__(self) -> str:
        return f"unknown question type {self.args[0]!r} (known: {', '.join(TYPE_NAMES)})"


def _load() -> dict[str, QuestionType]:
    registry: dict[str, QuestionType] = {}
    for module_name in _MODULES:
        module = import_module(f"quiz.question_types.{module_name}")
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, QuestionType) and value.__module__ == module.__name__:
                registry[value.name] = value()
    return registry


REGISTRY: dict[str, QuestionType] = _load()
TYPE_NAMES: tuple[str, ...] = tuple(REGISTRY)


def get_type(name: str) -> QuestionType:
    try:
        return REGISTRY[name]
    except KeyError:
        raise UnknownQuestionType(name) from None


__all__ = [
    "AnswerError",
    "DefinitionError",
    "ItemGrade",
    "ManualGradeError",
    "Problem",
    "QuestionType",
    "REGISTRY",
    "RubricCriterion",
    "TYPE_NAMES",
    "UnknownQuestionType",
    "get_type",
]
