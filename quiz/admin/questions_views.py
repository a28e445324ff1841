"""Question banks: list and search, create and edit (each change a new version), preview, history,
retire and restore. Admins only. Rules live in quiz.admin.questions, quiz.admin.question_search and
the question types."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from quiz.admin import question_search
from quiz.admin import questions as bank
from quiz.admin.question_forms import FORMS, MAX_ROWS, ConfirmForm, NewQuestionForm, QuestionForm, SearchForm
from quiz.admin.views import MAX_PAGE, admin_required, bp
from quiz.assessment.forms import choices_for
from quiz.extensions import commit, db_session, now
from quiz.models import Question, QuestionVersion, Track
from quiz.question_types import DefinitionError, get_type
from quiz.question_types.base import format_number


def preview_context(type_name: str, definition: dict[str, Any]) -> dict[str, Any]:
    """What templates/assessment/types/<type>.html needs, for an unanswered item shown unshuffled."""
    return {"version": {"type": type_name}, "definition": definition, "item": {"answer": None, "position": 1},
            "choices": choices_for(type_name, definition, None, None), "number_value": "",
            "shuffled": bool(get_type(type_name).shuffle_ids(get_type(type_name).parse_definition(definition)))}


def _question_or_404(key: str) -> Question:
    try:
        return bank.get_question(db_session(), key)
    except LookupError:
        abort(404)


# --- list and search ---------------------------------------------------------------------------


def _checked(field: Any, choices: list[SelectChoice]) -> str:
    """The field's value if it is one of the choices; otherwise an error next to it and no filter."""
    field.choices = choices
    value = (field.data or "").strip()
    if value and value not in {choice.value for choice in choices}:
        field.errors = [f"{value!r} is not one of the choices."]
        return ""
    return value


@bp.get("/questions")
@admin_required
def questions() -> str:
    session = db_session()
    choices = question_search.filter_choices(session)
    form = SearchForm(request.args)
    args = {
        "track": _checked(form.track, [SelectChoice("", "All tracks")]
                          + [SelectChoice(t.key, t.name) for t in choices["tracks"]]),
        "topic": _checked(form.topic, [SelectChoice("", "All topics")] + [SelectChoice(t) for t in choices["topics"]]),
        "type": _checked(form.type, [SelectChoice("", "All types")]
                         + [SelectChoice(name, label) for name, label in choices["types"]]),
        "difficulty": _checked(form.difficulty, [SelectChoice("", "Any")]
                               + [SelectChoice(str(d)) for d in choices["difficulties"]]),
        "status": _checked(form.status, [SelectChoice("", "Active and retired")]
                           + [SelectChoice(s, s.capitalize()) for s in choices["statuses"]]),
        "text": (form.text.data or "").strip()[:200],
    }
    filters = question_search.QuestionFilters(
        **{**args, "difficulty": int(args["difficulty"]) if args["difficulty"] else None},
        page=min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE))
    page = question_search.search_questions(session, filters)
    return render_template("admin/questions/list.html", form=form, page=page,
                           args={k: v for k, v in args.items() if v}, filtered=any(args.values()))


# --- create and edit ---------------------------------------------------------------------------


def _form_page(form: QuestionForm, track: Track, question: Question | None,
               preview: dict[str, Any] | None = None) -> str:
    return render_template("admin/questions/form.html", form=form, track=track, question=question,
                           topics=bank.topics_of_track(db_session(), track), preview=preview, max_rows=MAX_ROWS)


def _preview_of(form: QuestionForm) -> dict[str, Any] | None:
    """The unsaved form as the candidate would see it, or its problems next to the fields."""
    question_type = get_type(form.type_name)
    try:
        definition = question_type.to_definition(question_type.parse_definition(form.definition()))
    except DefinitionError as exc:
        form.attach(exc.problems)
        return None
    return preview_context(form.type_name, definition)


def _based_on(form: QuestionForm, question: Question | None) -> int | None:
    """The version the edit form was opened at (sent back in a hidden field)."""
    if question is None:
        return None
    value = (form.based_on.data or "").strip()
    return int(value) if value.isascii() and value.isdecimal() and len(value) < 10 else None


def _post(form: QuestionForm, track: Track, question: Question | None) -> str | Response | tuple[str, int]:
    """Add a row, preview, or save (a new question, or a new version when the content changed)."""
    action = request.form.get("action", "save")
    form.compact()
    if action.startswith("add:"):
        name = action.removeprefix("add:")
        if name in form.ROW_LISTS and not form.add_row(name):
            form.list_errors[name].append(f"At most {MAX_ROWS} rows.")
        return _form_page(form, track, question)
    if not form.validate_on_submit():
        return _form_page(form, track, question), 400
    if action == "preview":
        preview = _preview_of(form)
        return _form_page(form, track, question, preview=preview), 200 if preview is not None else 422
    key = question.key if question is not None else (form.key.data or "")
    try:
        result = bank.save_question(db_session(), current_user, track, key, form.type_name, form.topic.data or "",
                                    form.difficulty.data or "", form.points.data or "", form.definition(), now(),
                                    expect_new=question is None, based_on=_based_on(form, question))
    except bank.QuestionInvalid as exc:
        form.attach(exc.problems)
        return _form_page(form, track, question), 422
    except bank.QuestionError as exc:  # a conflict with another admin's save
        form.general_errors.append(str(exc))
        return _form_page(form, track, question), 409
    commit()
    saved = result.question.key
    if result.created:
        flash(f"Question {saved} created (version 1).", "success")
    elif result.changed:
        flash(f"Saved {saved} as version {result.version.number}. Attempts that showed an earlier version "
              "keep it.", "success")
    else:
        flash(f"Nothing changed: {saved} stays at version {result.version.number}.", "info")
    for warning in result.warnings:
        flash(warning, "error")
    return redirect(url_for("admin.question_history", key=saved))


@bp.route("/questions/new", methods=["GET", "POST"])
@admin_required
def question_new() -> str | Response | tuple[str, int]:
    session = db_session()
    track_key, type_name = request.args.get("track", ""), request.args.get("type", "")
    track = session.scalar(select(Track).where(Track.key == track_key)) if track_key else None
    if track is None or type_name not in FORMS:
        chooser = NewQuestionForm(request.args)
        tracks = session.scalars(select(Track).order_by(Track.position, Track.key)).all()
        chooser.track.choices = [SelectChoice(t.key, t.name + ("" if t.active else " (inactive)")) for t in tracks]
        chooser.type.choices = [SelectChoice(name, get_type(name).label) for name in FORMS]
        if track_key and track is None:
            chooser.track.errors = [f"There is no track {track_key!r}."]
        if type_name and type_name not in FORMS:
            chooser.type.errors = [f"There is no question type {type_name!r}."]
        return render_template("admin/questions/choose.html", form=chooser, has_tracks=bool(tracks))
    form = FORMS[type_name]()
    if request.method == "GET":
        form.start()
        return _form_page(form, track, None)
    return _post(form, track, None)


@bp.route("/questions/<key>/edit", methods=["GET", "POST"])
@admin_required
def question_edit(key: str) -> str | Response | tuple[str, int]:
    question = _question_or_404(key)
    version = question.current
    if version.type not in FORMS:
        abort(404)
    form = FORMS[version.type]()
    if request.method == "GET":
        form.fill(question.key, version.topic, version.difficulty, version.points, version.definition)
        form.based_on.data = str(version.number)
        return _form_page(form, question.track, question)
    return _post(form, question.track, question)


# --- preview and history -----------------------------------------------------------------------


@bp.get("/questions/<key>/preview")
@admin_required
def question_preview(key: str) -> str:
    question = _question_or_404(key)
    try:
        version: QuestionVersion = bank.get_version(question, request.args.get("version", type=int))
    except LookupError:
        abort(404)
    question_type = get_type(version.type)
    spec = question_type.parse_definition(version.definition)
    correct = question_type.correct_answer(spec)
    return render_template(
        "admin/questions/preview.html", question=question, shown=version,
        preview=preview_context(version.type, question_type.to_definition(spec)),
        key_text=None if correct is None else question_type.summarise(spec, correct),
        rubric=[(c.id, format_number(c.points), c.description) for c in question_type.rubric(spec)])


@bp.get("/questions/<key>/history")
@admin_required
def question_history(key: str) -> str:
    question = _question_or_404(key)
    return render_template("admin/questions/history.html", question=question,
                           entries=bank.question_history(db_session(), question))


# --- retire and restore ------------------------------------------------------------------------


def _change_status(key: str, action: str) -> str | Response:
    question = _question_or_404(key)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return render_template("admin/questions/confirm.html", question=question, action=action, form=form)
    try:
        if action == "retire":
            warnings = bank.retire_question(db_session(), current_user, question, now())
        else:
            bank.restore_question(db_session(), current_user, question, now())
            warnings = []
    except bank.QuestionError as exc:
        flash(str(exc), "error")
        return redirect(url_for("admin.question_history", key=question.key))
    commit()
    flash(f"{question.key} is retired: it will not be drawn for new attempts." if action == "retire"
          else f"{question.key} is active again: new attempts may draw it.", "success")
    for warning in warnings:
        flash(warning, "error")
    return redirect(url_for("admin.question_history", key=question.key))


@bp.route("/questions/<key>/retire", methods=["GET", "POST"])
@admin_required
def question_retire(key: str) -> str | Response:
    return _change_status(key, "retire")


@bp.route("/questions/<key>/restore", methods=["GET", "POST"])
@admin_required
def question_restore(key: str) -> str | Response:
    return _change_status(key, "restore")
