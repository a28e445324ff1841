"""The admin's editing forms, one per question type: form fields <-> the raw definition a type parses.

The forms only carry values: every rule lives in the question type (`parse_definition`) and in
`quiz.admin.questions.save_question`, whose problems (with paths such as `options[2].text`) are put
back next to the field they concern by `QuestionForm.attach`. Numbers are passed on as numbers when
they read as one, and as the text typed otherwise, so the type reports "must be a number".

Lists of rows (choices, ordering items, rubric criteria) work without JavaScript: an "Add a row"
submit button re-renders the form with one more empty row, a "Remove" box per row drops it, and a
"Position" number per row reorders them; rows left without text are dropped.

The modules: `base` (the common form, values, errors), `rows` (the rows of the lists), one module per
family of types (`choices`, `values`, `written`) and `pages` (the list's filters and other small forms).
"""

from __future__ import annotations

from typing import Any

from quiz.admin.question_forms.base import QuestionForm, number_value, shown_number, text_value
from quiz.admin.question_forms.choices import MultipleChoiceForm, SingleChoiceForm, TrueFalseForm
from quiz.admin.question_forms.code import CodeForm
from quiz.admin.question_forms.pages import ConfirmForm, NewQuestionForm, SearchForm
from quiz.admin.question_forms.rows import MAX_ROWS, KeyedOptionRow, OptionRow, RubricRow
from quiz.admin.question_forms.values import NumericForm, OrderingForm, ShortTextForm
from quiz.admin.question_forms.written import ComparisonForm, EssayForm

__all__ = [
    "FORMS", "MAX_ROWS", "CodeForm", "ComparisonForm", "ConfirmForm", "EssayForm", "KeyedOptionRow", "MultipleChoiceForm",
    "NewQuestionForm", "NumericForm", "OptionRow", "OrderingForm", "QuestionForm", "RubricRow", "SearchForm",
    "ShortTextForm", "SingleChoiceForm", "TrueFalseForm", "form_for", "number_value", "shown_number", "text_value",
]

FORMS: dict[str, type[QuestionForm]] = {form.type_name: form for form in (
    SingleChoiceForm, MultipleChoiceForm, TrueFalseForm, NumericForm, ShortTextForm, OrderingForm, EssayForm,
    ComparisonForm, CodeForm)}


def form_for(type_name: str, **kwargs: Any) -> QuestionForm:
    return FORMS[type_name](**kwargs)
