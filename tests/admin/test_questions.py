"""Question banks in the admin area: search, forms for every type, preview, versions, history, retire."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from quiz.admin.question_forms import FORMS
from quiz.admin.questions import QuestionInvalid, save_question
from quiz.assessment.services import start_attempt
from quiz.auth.passwords import hash_password
from quiz.models import AuditEntry, Question, QuestionVersion, User
from quiz.question_types import get_type
from tests.admin.conftest import PASSWORD, login
from tests.services.conftest import T0, assessment, candidate

# --- helpers -------------------------------------------------------------------------------------


class Client:
    """A test client that first ends the test's own database transaction: after a POST the app's
    "take SQLite's write lock at BEGIN" setting stays on in this thread, and a transaction left
    open by the test would then hold the lock the next request waits for."""

    def __init__(self, client: FlaskClient, db: Session):
        self.client, self.db = client, db
        self.application = client.application

    def open(self, *args: Any, **kwargs: Any) -> Any:
        self.db.rollback()
        return self.client.open(*args, **kwargs)

    def get(self, *args: Any, **kwargs: Any) -> Any:
        self.db.rollback()
        return self.client.get(*args, **kwargs)

    def post(self, *args: Any, **kwargs: Any) -> Any:
        self.db.rollback()
        return self.client.post(*args, **kwargs)


@pytest.fixture
def admin(admin_client: FlaskClient, db: Session) -> Client:
    return Client(admin_client, db)


@pytest.fixture
def grader(grader_client: FlaskClient, db: Session) -> Client:
    return Client(grader_client, db)


def question(db: Session, key: str) -> Question:
    db.expire_all()
    return db.scalar(select(Question).where(Question.key == key))


def count(db: Session, model: Any) -> int:
    return db.scalar(select(func.count()).select_from(model))


def audit_actions(db: Session) -> list[str]:
    return list(db.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def browser_post(app: Flask, key: str | None, type_name: str, topic: str, difficulty: int, points: Any,
                 definition: dict[str, Any], crlf: bool = False) -> dict[str, str]:
    """What a browser posts for a form filled with these values (unchecked boxes are not sent;
    textareas send CRLF line breaks when `crlf`)."""
    with app.test_request_context():
        form = FORMS[type_name]()
        form.fill(key or "", topic, difficulty, Decimal(str(points)), definition)
        data: dict[str, str] = {}

        def add(field: Any) -> None:
            if field.type == "FieldList":
                for entry in field.entries:
                    for sub in entry.form:
                        add(sub)
            elif field.type == "BooleanField":
                if field.data:
                    data[field.name] = "y"
            elif field.type != "CSRFTokenField" and field.data not in (None, ""):
                value = str(field.data)
                data[field.name] = value.replace("\n", "\r\n") if crlf and field.type == "TextAreaField" else value

        for field in form:
            add(field)
    if key is None:
        data.pop("key", None)
    return data


def edit_post(app: Flask, db: Session, key: str, **changes: Any) -> dict[str, str]:
    """The edit form of a question as the browser posts it, with some definition fields changed."""
    version = question(db, key).current
    definition = {**version.definition, **changes}
    return browser_post(app, None, version.type, version.topic, version.difficulty, version.points, definition)


def errors_of(html: str, field_id: str) -> list[str]:
    """The error messages shown next to a field (in its `<id>-errors` list)."""
    match = re.search(rf'<ul id="{re.escape(field_id)}-errors" class="errors"[^>]*>(.*?)</ul>', html, re.S)
    return re.findall(r"<li>(.*?)</li>", match.group(1), re.S) if match else []


def new_url(track: str, type_name: str) -> str:
    return f"/admin/questions/new?track={track}&type={type_name}"


# --- access --------------------------------------------------------------------------------------


QUESTION_ROUTES = [
    ("GET", "/admin/questions"), ("GET", "/admin/questions?track=alpha&page=2"),
    ("GET", "/admin/questions/new"), ("GET", "/admin/questions/new?track=alpha&type=essay"),
    ("POST", "/admin/questions/new?track=alpha&type=essay"),
    ("GET", "/admin/questions/a-0/edit"), ("POST", "/admin/questions/a-0/edit"),
    ("GET", "/admin/questions/a-0/preview"), ("GET", "/admin/questions/a-0/history"),
    ("GET", "/admin/questions/a-0/retire"), ("POST", "/admin/questions/a-0/retire"),
    ("GET", "/admin/questions/a-0/restore"), ("POST", "/admin/questions/a-0/restore"),
]


def test_a_grader_gets_403_on_every_question_page(grader: Client, db: Session) -> None:
    for method, url in QUESTION_ROUTES:
        assert grader.open(url, method=method).status_code == 403, (method, url)
    assert question(db, "a-0").status == "active" and len(question(db, "a-0").versions) == 1


def test_anonymous_users_are_sent_to_log_in(app: Flask, db: Session) -> None:
    client = Client(app.test_client(), db)
    for method, url in QUESTION_ROUTES:
        response = client.open(url, method=method)
        assert response.status_code == 302 and "/login" in response.headers["Location"], (method, url)


def test_the_nav_links_to_the_questions(admin: Client) -> None:
    assert 'href="/admin/questions"' in admin.get("/admin/").get_data(as_text=True)


# --- list, search, pagination -------------------------------------------------------------------


def _keys(html: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/admin/questions/([^/]+)/history">', html)


def test_the_list_shows_each_question_with_its_current_version(admin: Client) -> None:
    html = admin.get("/admin/questions").get_data(as_text=True)
    assert "<h1>Questions</h1>" in html
    assert _keys(html) == [f"a-{n}" for n in range(6)] + ["b-0", "b-1", "b-2", "b-e0", "b-e1", "b-e2"]
    row = re.search(r'<tr class="question-row">\s*<th scope="row"><a href="/admin/questions/b-e1/history">.*?</tr>',
                    html, re.S).group(0)
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", row, re.S)]
    assert cells[:7] == ["beta", "essay", "B", "2", "2", "active", "1"]  # the topic as people read it
    assert 'class="question-text"><a href="/admin/questions/b-e1/edit">Essay b-e1: explain.</a>' in row


SEARCHES = [
    ("track=beta", ["b-0", "b-1", "b-2", "b-e0", "b-e1", "b-e2"]),
    ("type=essay", ["b-e0", "b-e1", "b-e2"]),
    ("topic=a", [f"a-{n}" for n in range(6)]),
    ("difficulty=2", ["a-1", "b-1", "b-e0", "b-e1", "b-e2"]),
    ("track=alpha&difficulty=2", ["a-1"]),
    ("text=Essay+b-e1", ["b-e1"]),
    ("text=ALSO+WRONG&track=beta", ["b-0", "b-1", "b-2"]),  # option text, any case
    ("text=no+such+words", []),
    ("status=retired", []),
]


def test_search_filters(admin: Client) -> None:
    for query, expected in SEARCHES:
        html = admin.get(f"/admin/questions?{query}").get_data(as_text=True)
        assert _keys(html) == expected, query
        assert ("No questions match these filters" in html) == (not expected), query


def test_search_finds_text_of_the_current_version_only(admin: Client, app: Flask, db: Session) -> None:
    data = edit_post(app, db, "a-3", prompt="Which café serves the best crème brûlée?")
    assert admin.post("/admin/questions/a-3/edit", data=data).status_code == 302
    assert _keys(admin.get("/admin/questions?text=crème+BRÛLÉE").get_data(as_text=True)) == ["a-3"]
    assert _keys(admin.get("/admin/questions?text=Question+a-3").get_data(as_text=True)) == []


def test_search_by_status(admin: Client) -> None:
    admin.post("/admin/questions/a-2/retire")
    assert _keys(admin.get("/admin/questions?status=retired").get_data(as_text=True)) == ["a-2"]
    assert "a-2" not in _keys(admin.get("/admin/questions?status=active").get_data(as_text=True))


def test_an_unknown_filter_value_is_reported_next_to_it(admin: Client) -> None:
    html = admin.get("/admin/questions?type=poem&track=alpha").get_data(as_text=True)
    assert errors_of(html, "type") == ["&#39;poem&#39; is not one of the choices."]
    assert _keys(html) == [f"a-{n}" for n in range(6)]  # the other filters still apply


def test_pagination_25_per_page_with_page_links_that_keep_the_filters(admin: Client, db: Session) -> None:
    actor = db.scalar(select(User).where(User.role == "admin"))
    for n in range(30):
        save_question(db, actor, "alpha", f"x-{n:02d}", "true_false", "a", 3, 1,
                      {"prompt": f"Statement {n}", "explanation": "Why.", "correct": True}, T0)
    db.commit()
    first = admin.get("/admin/questions?track=alpha").get_data(as_text=True)
    assert len(_keys(first)) == 25 and "36 questions · page 1 of 2" in first
    assert 'href="/admin/questions?page=2&amp;track=alpha"' in first
    second = admin.get("/admin/questions?track=alpha&page=2").get_data(as_text=True)
    assert _keys(second) == [f"x-{n:02d}" for n in range(19, 30)]
    assert 'rel="prev" href="/admin/questions?page=1&amp;track=alpha"' in second
    searched = admin.get("/admin/questions?text=statement&page=2").get_data(as_text=True)
    assert len(_keys(searched)) == 5 and "30 questions · page 2 of 2" in searched
    assert len(_keys(admin.get("/admin/questions?page=99").get_data(as_text=True))) == 17  # the last page


def test_empty_state(admin: Client, db: Session) -> None:
    for q in db.scalars(select(Question)):
        q.status = "retired"
    db.commit()
    html = admin.get("/admin/questions?status=active").get_data(as_text=True)
    assert "No questions match these filters" in html


# --- create every type through its form ---------------------------------------------------------


def _rows(name: str, rows: list[dict[str, str]]) -> dict[str, str]:
    return {f"{name}-{i}-{field}": value for i, row in enumerate(rows) for field, value in row.items()}


COMMON = {"topic": "a", "difficulty": "3", "points": "2.5", "prompt": "What is asked?\r\nTwo lines.",
          "explanation": "Because.", "action": "save"}

NEW_QUESTIONS: dict[str, tuple[dict[str, str], dict[str, Any]]] = {
    "single_choice": (
        {**_rows("options", [{"id": "a", "text": "Yes", "position": "1"}, {"id": "b", "text": "No", "position": "2"},
                             {"id": "c", "text": "", "position": "3"}]), "correct_row": "1", "shuffle": "y"},
        {"options": [{"id": "a", "text": "Yes"}, {"id": "b", "text": "No"}], "correct": "b", "shuffle": True}),
    "multiple_choice": (
        _rows("options", [{"id": "a", "text": "One", "correct": "y"}, {"id": "b", "text": "Two"},
                          {"id": "c", "text": "Three", "correct": "y"}]),
        {"options": [{"id": "a", "text": "One"}, {"id": "b", "text": "Two"}, {"id": "c", "text": "Three"}],
         "correct": ["a", "c"], "shuffle": False}),
    "true_false": ({"correct": "false"}, {"correct": False}),
    "numeric": (
        {"correct": "9.81", "tolerance_kind": "relative", "tolerance_value": "0.01", "unit": "m/s²"},
        {"correct": 9.81, "tolerance": {"relative": 0.01}, "unit": "m/s²"}),
    "short_text": (
        {"accepted": "Paris\r\n\r\n  paris, France \r\n", "case_sensitive": "y", "regex": "Par.s", "max_length": "40"},
        {"accepted": ["Paris", "paris, France"], "case_sensitive": True, "regex": "Par.s", "max_length": 40}),
    "ordering": (
        _rows("items", [{"id": "1", "text": "First", "position": "1"}, {"id": "3", "text": "Third", "position": "3"},
                        {"id": "2", "text": "Second", "position": "2"}]),
        {"items": [{"id": "1", "text": "First"}, {"id": "2", "text": "Second"}, {"id": "3", "text": "Third"}]}),
    "essay": (
        {**_rows("rubric", [{"id": "content", "description": "Right content", "points": "3"},
                            {"id": "style", "description": "Clear", "points": "1.5"}, {}]),
         "min_words": "50", "max_words": "300"},
        {"rubric": [{"id": "content", "description": "Right content", "points": 3.0},
                    {"id": "style", "description": "Clear", "points": 1.5}], "min_words": 50, "max_words": 300}),
    "comparison": (
        {"user_prompt": "Summarise this.", "response_a": "A short summary.", "response_b": "Rambling.",
         "better": "a", "scale_min": "1", "scale_max": "5", "rating_a": "5", "rating_b": "2", "rating_tolerance": "0",
         "choice_points": "2", "rating_points": "1", "max_words": "100",
         **_rows("rubric", [{"id": "reasons", "description": "Gives reasons", "points": "2"}])},
        {"user_prompt": "Summarise this.", "response_a": "A short summary.", "response_b": "Rambling.",
         "better": "a", "scale": {"min": 1, "max": 5}, "ratings": {"a": 5, "b": 2}, "rating_tolerance": 0.0,
         "choice_points": 2.0, "rating_points": 1.0,
         "rubric": [{"id": "reasons", "description": "Gives reasons", "points": 2.0}], "min_words": 0, "max_words": 100}),
    "code": (
        {"language": "python", "mode": "function", "function": "add", "starter": "def add(a, b):\r\n    pass\r\n",
         "examples": "- {input: [1, 2], expected: 3}\r\n", "scoring": "per_test", "cpu_seconds": "1",
         "tests": "- {input: [2, 2], expected: 4}\r\n- {input: [0, 0], expected: 0, points: 2}\r\n",
         "reference": "def add(a, b):\r\n    return a + b\r\n"},
        {"language": "python", "mode": "function", "function": "add", "starter": "def add(a, b):\n    pass\n",
         "examples": [{"input": [1, 2], "expected": 3, "points": 1.0}],
         "tests": [{"input": [2, 2], "expected": 4, "points": 1.0}, {"input": [0, 0], "expected": 0, "points": 2.0}],
         "reference": "def add(a, b):\n    return a + b\n", "scoring": "per_test",
         "limits": {"cpu_seconds": 1.0, "wall_seconds": 5.0, "memory_mb": 256, "output_kb": 64}}),
}


PREVIEW_MARKERS = {
    "single_choice": 'name="choice" value="2"', "multiple_choice": 'type="checkbox" name="choice" value="3"',  # tokens, not ids
    "true_false": 'name="choice" value="false"', "numeric": "Your answer (in m/s²)", "short_text": 'maxlength="40"',
    "ordering": '<select id="rank_3" name="rank_3" ', "essay": "At least 50 words. At most 300 words.",
    "comparison": "<h2>Response A</h2><p>A short summary.</p>",
    "code": 'data-language="python"'}


def test_every_type_has_a_form() -> None:
    from quiz.question_types import TYPE_NAMES

    assert set(FORMS) == set(TYPE_NAMES) == set(NEW_QUESTIONS)


@pytest.mark.parametrize("type_name", list(NEW_QUESTIONS))
def test_create_each_type_through_its_form(admin: Client, db: Session, type_name: str) -> None:
    page = admin.get(new_url("alpha", type_name)).get_data(as_text=True)
    assert "<h1>New " in page and 'name="key"' in page
    fields, expected = NEW_QUESTIONS[type_name]
    response = admin.post(new_url("alpha", type_name), data={**COMMON, "key": f"new-{type_name}", **fields})
    assert response.status_code == 302, errors_in(response.get_data(as_text=True))
    assert response.headers["Location"].endswith(f"/admin/questions/new-{type_name}/history")
    created = question(db, f"new-{type_name}")
    assert created.track.key == "alpha" and created.status == "active" and len(created.versions) == 1
    version = created.current
    assert (version.number, version.type, version.topic, version.difficulty, version.points) == \
           (1, type_name, "a", 3, Decimal("2.50"))
    assert version.definition == {"prompt": "What is asked?\nTwo lines.", "explanation": "Because.", **expected} \
        or _canonical_subset(version.definition, expected)
    assert version.created_by_id == db.scalar(select(User.id).where(User.email == "admin@example.com"))
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "question.create"))
    assert entry.target_id == str(created.id) and entry.after["version"] == 1
    # The preview shows it through the candidate's partial of its type.
    html = admin.get(f"/admin/questions/new-{type_name}/preview").get_data(as_text=True)
    assert "<p>What is asked?\nTwo lines.</p>" in html and PREVIEW_MARKERS[type_name] in html
    # The saved question opens in its edit form with the same values, and saving it changes nothing.
    assert admin.get(f"/admin/questions/new-{type_name}/edit").status_code == 200
    data = edit_post(admin.application, db, f"new-{type_name}")
    response = admin.post(f"/admin/questions/new-{type_name}/edit", data=data, follow_redirects=True)
    assert "Nothing changed" in response.get_data(as_text=True)
    assert len(question(db, f"new-{type_name}").versions) == 1


def _canonical_subset(definition: dict[str, Any], expected: dict[str, Any]) -> bool:
    """Canonical definitions spell defaults out (e.g. regex: null): compare the fields the form set."""
    assert {k: definition[k] for k in expected} == expected
    assert definition["prompt"] == "What is asked?\nTwo lines."
    return True


def errors_in(html: str) -> list[str]:
    return re.findall(r'<ul id="[^"]+-errors" class="errors"[^>]*>(.*?)</ul>', html, re.S)


def test_every_question_of_the_real_bank_survives_its_edit_form_unchanged(app: Flask) -> None:
    """Opening any question of question_bank/ in its form and saving it as a browser would (CRLF
    line breaks) gives back the same canonical definition, so a save without edits is no version."""
    from quiz.bank.load import load_bank
    from quiz.bank.specs import content_hash
    from tests.conftest import BANK_DIR

    loaded = load_bank(BANK_DIR)
    assert loaded.ok and len(loaded.questions) > 100
    for spec in loaded.questions:
        post = browser_post(app, spec.key, spec.type, spec.topic, spec.difficulty, spec.points, spec.definition,
                            crlf=True)
        with app.test_request_context(method="POST", data={**post, "action": "save"}):
            form = FORMS[spec.type]()
            form.compact()
            question_type = get_type(spec.type)
            definition = question_type.to_definition(question_type.parse_definition(form.definition()))
        assert definition == spec.definition, spec.key
        assert (form.topic.data, int(form.difficulty.data), Decimal(form.points.data)) == \
               (spec.topic, spec.difficulty, spec.points), spec.key
        assert content_hash(spec.type, form.topic.data, int(form.difficulty.data),
                            Decimal(form.points.data).quantize(Decimal("0.01")), definition) == spec.content_hash


def test_a_key_in_use_is_refused(admin: Client, db: Session) -> None:
    fields, _ = NEW_QUESTIONS["true_false"]
    html = admin.post(new_url("alpha", "true_false"), data={**COMMON, "key": "a-0", **fields}).get_data(as_text=True)
    assert errors_of(html, "key") == ["&#39;a-0&#39; is already the key of a question"]
    assert question(db, "a-0").current.type == "single_choice" and len(question(db, "a-0").versions) == 1


def test_choose_track_and_type_first(admin: Client) -> None:
    html = admin.get("/admin/questions/new").get_data(as_text=True)
    assert "<h1>New question</h1>" in html and 'name="track"' in html and 'value="comparison"' in html
    html = admin.get("/admin/questions/new?track=gamma&type=poem").get_data(as_text=True)
    assert errors_of(html, "track") == ["There is no track &#39;gamma&#39;."]
    assert errors_of(html, "type") == ["There is no question type &#39;poem&#39;."]


# --- rows without JavaScript --------------------------------------------------------------------


def test_add_a_row_re_renders_with_one_more_empty_row(admin: Client, db: Session) -> None:
    before = count(db, Question)
    data = {**COMMON, "key": "rows", **_rows("options", [{"id": "a", "text": "One"}, {"id": "b", "text": "Two"}]),
            "correct_row": "1", "action": "add:options"}
    html = admin.post(new_url("alpha", "single_choice"), data=data).get_data(as_text=True)
    assert 'name="options-2-id"' in html and 'name="options-3-id"' not in html
    assert re.search(r'name="options-2-id"[^>]*value="c"', html)  # the next free id is suggested
    assert 'name="correct_row" value="1" checked' in html  # the key stays marked
    assert "What is asked?" in html and count(db, Question) == before  # nothing saved


def test_removed_and_reordered_rows(admin: Client, db: Session) -> None:
    rows = [{"id": "a", "text": "One", "position": "1"}, {"id": "b", "text": "Two", "position": "2", "remove": "y"},
            {"id": "c", "text": "Three", "position": "1"}]
    data = {**COMMON, "key": "rows", **_rows("options", rows), "correct_row": "2", "action": "preview"}
    html = admin.post(new_url("alpha", "single_choice"), data=data).get_data(as_text=True)
    # The removed row is gone, the row moved to position 1 comes first, the key follows its row.
    assert re.search(r'name="options-0-id"[^>]*value="c"', html) and re.search(r'name="options-1-id"[^>]*value="a"', html)
    assert 'name="options-2-id"' not in html and 'name="correct_row" value="0" checked' in html
    data = {**COMMON, "key": "rows", **_rows("options", rows), "correct_row": "2"}
    assert admin.post(new_url("alpha", "single_choice"), data=data).status_code == 302
    definition = question(db, "rows").current.definition
    assert definition["options"] == [{"id": "c", "text": "Three"}, {"id": "a", "text": "One"}]
    assert definition["correct"] == "c"


def test_remove_a_rubric_row_while_editing(admin: Client, app: Flask, db: Session) -> None:
    data = edit_post(app, db, "b-e0", rubric=[{"id": "content", "description": "Content", "points": 2},
                                              {"id": "style", "description": "Style", "points": 1}])
    assert admin.post("/admin/questions/b-e0/edit", data=data).status_code == 302
    assert len(question(db, "b-e0").current.definition["rubric"]) == 2
    data = edit_post(app, db, "b-e0")
    data["rubric-0-remove"] = "y"
    assert admin.post("/admin/questions/b-e0/edit", data=data).status_code == 302
    current = question(db, "b-e0").current
    assert current.number == 3 and current.definition["rubric"] == [{"id": "style", "description": "Style", "points": 1.0}]


# --- validation ----------------------------------------------------------------------------------


def test_validation_errors_are_shown_next_to_the_field_and_nothing_is_saved(admin: Client,
                                                                            db: Session) -> None:
    counts = (count(db, Question), count(db, QuestionVersion), count(db, AuditEntry))
    data = {**COMMON, "key": "bad key!", "topic": "", "points": "1.234", "prompt": "  ",
            **_rows("options", [{"id": "a", "text": "One"}, {"id": "a", "text": "Two"}])}
    html = admin.post(new_url("alpha", "single_choice"), data=data).get_data(as_text=True)
    assert errors_of(html, "key")[0].startswith("Is required: letters, digits")
    assert errors_of(html, "topic") == ["Is required"]
    assert errors_of(html, "points") == ["Must have at most 2 decimal places"]
    assert errors_of(html, "prompt") == ["Must not be empty"]
    assert errors_of(html, "options-1-id") == ["Duplicate id &#39;a&#39;"]
    assert errors_of(html, "options") == ["Is required"]  # no option marked right
    assert (count(db, Question), count(db, QuestionVersion), count(db, AuditEntry)) == counts


TYPE_RULES = [
    ("numeric", {"correct": "twelve", "tolerance_value": "0.1"}, "correct", "Must be a number"),
    ("numeric", {"correct": "0", "tolerance_kind": "relative", "tolerance_value": "0.1"}, "tolerance_value",
     "Cannot be used when correct is 0; use absolute"),
    ("numeric", {"correct": "3"}, "tolerance_value", "Is required"),
    ("short_text", {"regex": "(unclosed"}, "regex", "Is not a regular expression RE2 accepts (missing ): (unclosed); "
                                                    "RE2 has no backreferences or lookarounds (see docs/bank-format.md)"),
    ("short_text", {"regex": r"(\w+)\s\1"}, "regex", "Is not a regular expression RE2 accepts (invalid escape "
                                                  "sequence: \\1); RE2 has no backreferences or lookarounds (see "
                                                  "docs/bank-format.md)"),
    ("short_text", {}, "accepted", "Is required unless regex is given"),
    ("true_false", {}, "correct", "Is required"),
    ("multiple_choice", _rows("options", [{"id": "a", "text": "x"}, {"id": "b", "text": "y"}]), "options",
     "Tick at least one correct option"),
    ("ordering", _rows("items", [{"id": "1", "text": "only one"}]), "items", "Give at least 2 items"),
    ("essay", {**_rows("rubric", [{"id": "c", "description": "d", "points": "0"}]), "min_words": "10",
               "max_words": "5"}, "rubric-0-points", "Must be greater than 0"),
    ("essay", {**_rows("rubric", [{"id": "c", "description": "d", "points": "1"}]), "min_words": "10",
               "max_words": "5"}, "max_words", "Must be at least min_words (10)"),
    ("comparison", {"better": "b", "rating_a": "6", "rating_b": "2", "user_prompt": "u", "response_a": "a",
                    "response_b": "b", **_rows("rubric", [{"id": "r", "description": "d", "points": "1"}])},
     "rating_b", "Rate b at least as high as a: better is b"),
    ("comparison", {"better": "a", "rating_a": "9", "rating_b": "2", "user_prompt": "u", "response_a": "a",
                    "response_b": "b", **_rows("rubric", [{"id": "r", "description": "d", "points": "1"}])},
     "rating_a", "Must be within the scale 1..7"),
    ("comparison", {"better": "a", "rating_a": "5", "rating_b": "2", "scale_min": "5", "scale_max": "3",
                    "user_prompt": "u", "response_a": "a", "response_b": "b"}, "scale_max",
     "Must be greater than min (5)"),
]


def test_type_rules_are_shown_next_to_the_field(admin: Client, db: Session) -> None:
    """Each type's own rules (parse_definition) come back next to the form field they concern."""
    before = count(db, QuestionVersion)
    for type_name, fields, field_id, message in TYPE_RULES:
        html = admin.post(new_url("alpha", type_name), data={**COMMON, "key": "k", **fields}).get_data(as_text=True)
        assert message in errors_of(html, field_id), (type_name, field_id, errors_in(html))
    assert count(db, QuestionVersion) == before and question(db, "k") is None


def test_an_invalid_edit_writes_no_version(admin: Client, app: Flask, db: Session) -> None:
    data = edit_post(app, db, "a-0")
    data.update({"difficulty": "9", "options-0-text": ""})  # the right row dropped: no key left
    html = admin.post("/admin/questions/a-0/edit", data=data).get_data(as_text=True)
    assert errors_of(html, "difficulty") == ["Must be a whole number from 1 to 5"]
    assert errors_of(html, "options") == ["Is required"]
    assert len(question(db, "a-0").versions) == 1 and "question.new_version" not in audit_actions(db)


# --- versions -------------------------------------------------------------------------------------


def test_edit_makes_a_new_version_and_keeps_the_old_one(admin: Client, app: Flask, db: Session) -> None:
    old = question(db, "a-0").current
    old_id, old_definition, old_hash = old.id, dict(old.definition), old.content_hash
    data = edit_post(app, db, "a-0", prompt="Which one is right, now?")
    data["points"] = "3"
    response = admin.post("/admin/questions/a-0/edit", data=data, follow_redirects=True)
    assert "Saved a-0 as version 2" in response.get_data(as_text=True)
    edited = question(db, "a-0")
    assert [v.number for v in edited.versions] == [1, 2]
    first, second = edited.versions
    assert (first.id, first.definition, first.content_hash, first.points) == (old_id, old_definition, old_hash,
                                                                              Decimal("1.00"))
    assert second.definition["prompt"] == "Which one is right, now?" and second.points == Decimal("3.00")
    assert second.definition["options"] == old_definition["options"] and second.content_hash != old_hash
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "question.new_version"))
    assert entry.before["version"] == 1 and entry.after["version"] == 2 and entry.after["points"] == "3.00"


def test_saving_without_a_change_makes_no_version_and_says_so(admin: Client, app: Flask,
                                                              db: Session) -> None:
    data = edit_post(app, db, "b-e1")
    version = question(db, "b-e1").current
    # Browsers send textareas with CRLF line breaks: still no change.
    data = browser_post(app, None, version.type, version.topic, version.difficulty, version.points,
                        {**version.definition, "prompt": version.definition["prompt"] + "\n"}, crlf=True)
    admin.post("/admin/questions/b-e1/edit", data=data)
    assert len(question(db, "b-e1").versions) == 2  # a real change (a trailing line break) is a version
    data = browser_post(app, None, version.type, version.topic, version.difficulty, version.points,
                        question(db, "b-e1").current.definition, crlf=True)
    html = admin.post("/admin/questions/b-e1/edit", data=data, follow_redirects=True).get_data(as_text=True)
    assert "Nothing changed: b-e1 stays at version 2." in html
    assert len(question(db, "b-e1").versions) == 2
    assert audit_actions(db)[-1] == "question.save_unchanged"


def test_a_save_over_someone_elses_newer_version_is_refused(admin: Client, app: Flask, db: Session) -> None:
    page = admin.get("/admin/questions/a-1/edit").get_data(as_text=True)
    assert re.search(r'<input id="based_on" name="based_on" type="hidden" value="1">', page)
    mine = {**edit_post(app, db, "a-1", prompt="My edit"), "based_on": "1"}
    theirs = {**edit_post(app, db, "a-1", prompt="Their edit"), "based_on": "1"}
    assert admin.post("/admin/questions/a-1/edit", data=theirs).status_code == 302
    html = admin.post("/admin/questions/a-1/edit", data=mine).get_data(as_text=True)
    assert "a-1 was changed by someone else while you edited it: it is now at version 2" in html
    assert "My edit" in html  # the form keeps what was typed
    assert [v.definition["prompt"] for v in question(db, "a-1").versions] == ["Question a-1: which is right?",
                                                                             "Their edit"]


def test_an_attempt_in_progress_keeps_the_version_it_showed(admin: Client, app: Flask,
                                                            db: Session) -> None:
    user = candidate(db, "taker@example.com")
    user.password_hash = hash_password(PASSWORD)
    attempt = start_attempt(db, user, assessment(db, "alpha-starter"), T0, seed=7)
    db.commit()
    shown = {item.position: (item.question_version.question.key, item.question_version_id) for item in attempt.items}
    position, (key, version_id) = next(iter(shown.items()))
    old_prompt = question(db, key).current.definition["prompt"]

    data = edit_post(app, db, key, prompt="A brand new prompt.")
    assert admin.post(f"/admin/questions/{key}/edit", data=data).status_code == 302

    db.expire_all()
    assert {i.position: (i.question_version.question.key, i.question_version_id) for i in attempt.items} == shown
    assert question(db, key).current.id != version_id
    db.rollback()  # logging in writes: the test's own transaction must not hold SQLite's lock
    page = Client(login(app, "taker@example.com"), db).get(f"/attempts/{attempt.id}/q/{position}").get_data(as_text=True)
    assert old_prompt.split(":")[0] in page and "A brand new prompt." not in page
    # A new attempt draws the new version.
    other = start_attempt(db, candidate(db, "next@example.com"), assessment(db, "alpha-starter"), T0, seed=7)
    assert question(db, key).current.id in {i.question_version_id for i in other.items}


def test_save_question_service_rules(db: Session) -> None:
    admin = db.scalar(select(User).where(User.role == "admin"))
    definition = dict(question(db, "a-1").current.definition)
    with pytest.raises(QuestionInvalid) as error:
        save_question(db, admin, "alpha", "a-1", "true_false", "a", 2, 1,
                      {"prompt": "x", "explanation": "y", "correct": True}, T0)
    assert [str(p) for p in error.value.problems] == ["type: cannot change from single_choice to true_false: "
                                                      "make a new question instead"]
    with pytest.raises(QuestionInvalid) as error:
        save_question(db, admin, "beta", "a-1", "single_choice", "a", 2, 1, definition, T0)
    assert error.value.problems[0].path == ("track",)
    with pytest.raises(LookupError):
        save_question(db, admin, "alpha", "nope", "single_choice", "a", 2, 1, definition, T0, expect_new=False)
    result = save_question(db, admin, "alpha", "a-1", "single_choice", "a", 2, "1.00", definition, T0)
    assert not result.changed and len(question(db, "a-1").versions) == 1
    result = save_question(db, admin, "alpha", "a-1", "single_choice", "zzz", 2, 1, definition, T0)
    assert result.changed and result.version.number == 2
    assert result.warnings == ["Topic 'zzz' is in no blueprint of track 'alpha': this question is never drawn."]


# --- preview ----------------------------------------------------------------------------------------


def test_preview_renders_the_candidate_partial(admin: Client) -> None:
    html = admin.get("/admin/questions/a-0/preview").get_data(as_text=True)
    assert "<h1>Preview of a-0</h1>" in html and "What the candidate sees" in html
    assert "Question a-0: which is right?" in html
    assert html.count('<input type="radio" name="choice"') == 3 and '<span class="option-text"><p>also wrong</p>' in html
    assert 'name="csrf_token"' not in html.split("What the candidate sees")[1].split("</fieldset>")[0]
    assert "Time left" not in html and "Review and submit" not in html  # no attempt chrome
    essay = admin.get("/admin/questions/b-e0/preview").get_data(as_text=True)
    assert '<textarea id="text" name="text"' in essay and "Correct content" in essay


def test_preview_of_the_unsaved_form(admin: Client, app: Flask, db: Session) -> None:
    data = edit_post(app, db, "a-0", prompt="Draft *prompt*")
    data["action"] = "preview"
    html = admin.post("/admin/questions/a-0/edit", data=data).get_data(as_text=True)
    assert "Preview (not saved)" in html and "<p>Draft <em>prompt</em></p>" in html
    assert 'name="prompt"' in html  # the form is still there to save
    assert len(question(db, "a-0").versions) == 1


def test_preview_of_an_old_version(admin: Client, app: Flask, db: Session) -> None:
    admin.post("/admin/questions/a-0/edit", data=edit_post(app, db, "a-0", prompt="Second prompt"))
    html = admin.get("/admin/questions/a-0/preview?version=1").get_data(as_text=True)
    assert "Question a-0: which is right?" in html and "not the current one" in html
    assert admin.get("/admin/questions/a-0/preview?version=7").status_code == 404
    assert admin.get("/admin/questions/nope/preview").status_code == 404


# --- history ------------------------------------------------------------------------------------------


def test_history_lists_versions_with_who_when_and_a_diff(admin: Client, app: Flask, db: Session) -> None:
    data = edit_post(app, db, "a-4", prompt="A clearer prompt")
    data["options-1-text"] = "quite wrong"
    admin.post("/admin/questions/a-4/edit", data=data)
    html = admin.get("/admin/questions/a-4/history").get_data(as_text=True)
    assert "<h1>History of a-4</h1>" in html
    assert html.index("Version 2 (current)") < html.index("Version 1<")
    assert "By admin@example.com on 2026-03-02 09:00 UTC" in html and "By bank import on" in html
    removed = re.findall(r'<del[^>]*><span aria-hidden="true">− </span><span class="sr-only">removed: </span>(.*?)</del>', html)
    added = re.findall(r'<ins[^>]*><span aria-hidden="true">\+ </span><span class="sr-only">added: </span>(.*?)</ins>', html)
    assert "prompt: &#39;Question a-4: which is right?&#39;" in removed and "prompt: A clearer prompt" in added
    assert "  text: wrong" in removed and "  text: quite wrong" in added
    assert not any("also wrong" in line for line in removed + added)  # unchanged lines are context


# --- retire and restore ------------------------------------------------------------------------------


def test_retire_and_restore_with_confirmation(admin: Client, db: Session) -> None:
    page = admin.get("/admin/questions/a-5/retire").get_data(as_text=True)
    assert "<h1>Retire a-5?</h1>" in page and "never drawn" in page and question(db, "a-5").status == "active"
    html = admin.post("/admin/questions/a-5/retire", follow_redirects=True).get_data(as_text=True)
    assert "a-5 is retired" in html
    retired = question(db, "a-5")
    assert retired.status == "retired" and retired.retired_at == T0
    assert audit_actions(db)[-1] == "question.retire"

    html = admin.post("/admin/questions/a-5/retire", follow_redirects=True).get_data(as_text=True)
    assert "a-5 is already retired." in html and audit_actions(db).count("question.retire") == 1

    assert "<h1>Restore a-5?</h1>" in admin.get("/admin/questions/a-5/restore").get_data(as_text=True)
    admin.post("/admin/questions/a-5/restore")
    restored = question(db, "a-5")
    assert restored.status == "active" and restored.retired_at is None
    assert audit_actions(db)[-1] == "question.restore"
    assert admin.post("/admin/questions/nope/retire").status_code == 404


def test_retired_questions_are_never_drawn(admin: Client, db: Session) -> None:
    html = admin.post("/admin/questions/a-0/retire", follow_redirects=True).get_data(as_text=True)
    assert "can no longer be offered" not in html  # 5 questions left for a blueprint of 4
    admin.post("/admin/questions/a-1/retire")
    active = {question(db, f"a-{n}").current.id for n in range(2, 6)}
    for n in range(5):
        attempt = start_attempt(db, candidate(db, f"c{n}@example.com"), assessment(db, "alpha-starter"), T0, seed=n)
        assert {item.question_version_id for item in attempt.items} == active
    html = admin.post("/admin/questions/a-2/retire", follow_redirects=True).get_data(as_text=True)
    assert "Alpha starter can no longer be offered: the bank cannot fill its blueprint." in html
