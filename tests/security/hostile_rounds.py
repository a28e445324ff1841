"""One round of the hostile-strings suite: one hostile string typed into every field a person types,
then every page that shows those fields fetched and checked.

A value that a form refuses (too long, not a number, not an option) is a place too: the page that
refuses it shows it back, and is checked the same way; the round then carries on with a plain value.
"""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from quiz.extensions import session_factory
from quiz.models import Attempt, AttemptItem, User
from tests.admin.test_questions import COMMON, NEW_QUESTIONS
from tests.security.hostile import HOSTILE, hostile_value, marker, markers_shown, page_problems
from tests.security.hostile_bank import TYPES, hostile_bank_files
from tests.security.page_forms import form_fields
from tests.web.support import verification_token

PASSWORD = "correct horse battery"
SHORT_TEXT_MAX_LENGTH = 1000  # of the hostile bank's short-text question (tests/security/hostile_bank.py)
PLAIN_APPLICATION = {"full_name": "Plain Name", "country": "Portugal", "time_zone": "UTC",
                     "education": "Master's degree", "expertise": "statistics", "languages-0-language": "English",
                     "languages-0-proficiency": "fluent", "hours_per_week": "20"}
#: text fields of the question editor's posts (see tests/admin/test_questions.NEW_QUESTIONS)
#: answers chosen from options: a typed value is refused (422) and, as no option, never shown back
REFUSED_CHOICES = {"single_choice", "multiple_choice", "true_false", "ordering"}
EDITOR_TEXT_FIELDS = ("prompt", "explanation", "options-0-text", "options-1-text", "items-0-text", "rubric-0-description",
                      "user_prompt", "response_a", "response_b", "accepted", "unit")


@dataclass
class Tally:
    """What the suite saw: pages checked, problems, and for each place the pages that showed it."""
    pages: int = 0
    problems: list[str] = field(default_factory=list)
    placed: set[str] = field(default_factory=set)  # markers typed into a field
    shown: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # marker -> pages showing it
    browser_pages: list[tuple[FlaskClient, str]] = field(default_factory=list)  # (whose browser, url) to revisit


class Round:
    def __init__(self, app: Flask, index: int, admin: FlaskClient, grader: FlaskClient, tally: Tally):
        self.app, self.i, self.admin, self.grader, self.tally = app, index, admin, grader, tally
        self.candidate = app.test_client()
        self.email = f"cand{index}@example.com"

    # --- checking ------------------------------------------------------------------------------

    def value(self, place: str) -> str:
        self.tally.placed.add(marker(self.i, place))
        return hostile_value(self.i, place)

    def check(self, response: TestResponse, label: str) -> TestResponse:
        assert response.status_code < 500, (label, response.status_code)
        if response.mimetype == "text/html":
            page = response.get_data(as_text=True)
            self.tally.pages += 1
            self.tally.problems += [f"string {self.i}, {label}: {p}" for p in page_problems(page)]
            for found in markers_shown(page):
                self.tally.shown[found].add(label)
        return response

    def get(self, client: FlaskClient, url: str, label: str, *, browser: bool = False) -> TestResponse:
        response = self.check(client.get(url), f"GET {label}")
        assert response.status_code == 200, (label, url, response.status_code)
        if browser:  # pages that still show the same once the round is over, for the browser check
            self.tally.browser_pages.append((client, url))
        return response

    def post(self, client: FlaskClient, url: str, data: dict[str, Any], label: str, **kwargs: Any) -> TestResponse:
        return self.check(client.post(url, data=data, **kwargs), f"POST {label}")

    def edit(self, client: FlaskClient, url: str, changes: dict[str, str], label: str,
             action: str | None = None) -> TestResponse:
        """Post the form of `url` as it stands, with `changes`."""
        page = self.get(client, url, label).get_data(as_text=True)
        target = url if action is None else action
        return self.post(client, target, {**form_fields(page, target), **changes}, label)

    # --- the round ------------------------------------------------------------------------------

    def run(self) -> None:
        self.sign_up_and_apply()
        self.import_bank()
        self.edit_settings()
        self.write_questions()
        attempt_id = self.take_the_assessment()
        self.grade(attempt_id)
        self.decide_and_review(attempt_id)
        self.void(attempt_id)
        self.look_everywhere(attempt_id)

    def sign_up_and_apply(self) -> None:
        bad = self.value("signupemail")
        response = self.post(self.candidate, "/signup", {"email": bad, "password": PASSWORD, "confirm": PASSWORD},
                             "sign-up")
        assert response.status_code != 302  # not an address
        response = self.post(self.candidate, "/signup", {"email": self.email, "password": PASSWORD,
                                                         "confirm": PASSWORD}, "sign-up")
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
        # The address is confirmed through its link, then the candidate logs in (sign-up does not).
        verify = self.check(self.candidate.get(f"/account/verify/{verification_token(self.app, self.email)}"),
                            "GET verify")
        assert verify.status_code == 302, verify.get_data(as_text=True)[:300]
        response = self.post(self.candidate, "/login", {"email": self.email, "password": PASSWORD}, "log-in")
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
        hostile = {"full_name": self.value("name"), "country": self.value("country"),
                   "expertise": self.value("expertise"), "languages-0-language": self.value("language")}
        response = self.post(self.candidate, "/application", {**PLAIN_APPLICATION, **hostile}, "application")
        if response.status_code != 302:  # refused (too long): the form shows it back; apply plainly
            response = self.post(self.candidate, "/application", PLAIN_APPLICATION, "application")
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
        with session_factory(self.app)() as session:
            self.user_id = session.scalar(select(User.id).where(User.email == self.email))
        url = f"/admin/candidates/{self.user_id}"
        self.edit(self.admin, url, {"factor": "1.25", "reason": self.value("accommodation")}, "accommodation",
                  action=f"{url}/accommodation")

    def import_bank(self) -> None:
        files = [(io.BytesIO(text.encode()), name) for name, text in hostile_bank_files(self.i).items()]
        for name in ("imptier", "imptrack", "imptrackdesc", "imptitle", "bankprompt", "bankexpl", "bankoption",
                     "bankunit", "bankaccepted", "bankitem", "bankrubric", "bankuserprompt", "bankresponse"):
            self.value(name)
        preview = self.post(self.admin, "/admin/bank/import", {"files": files}, "bank import",
                            content_type="multipart/form-data").get_data(as_text=True)
        if 'name="token"' in preview:  # a dry run without errors: confirm it
            fields = form_fields(preview, "/admin/bank/import/confirm")
            response = self.post(self.admin, "/admin/bank/import/confirm", fields, "bank import confirm")
            assert response.status_code == 302

    def edit_settings(self) -> None:
        self.edit(self.admin, "/admin/settings/tracks/hx", {"name": self.value("trackname"),
                                                            "description": self.value("trackdesc")}, "track")
        self.edit(self.admin, "/admin/settings/tiers/basic", {"name": self.value("tiername")}, "tier")
        self.edit(self.admin, "/admin/settings/assessments/hx-starter", {"title": self.value("title")}, "assessment")

    def write_questions(self) -> None:
        self.editor_keys = []
        for type_name, (fields, _expected) in NEW_QUESTIONS.items():
            data = {**COMMON, **fields, "key": f"ed{self.i}-{type_name.replace('_', '-')}", "topic": f"t-{type_name}"}
            for name in EDITOR_TEXT_FIELDS:
                if name in data:
                    data[name] = self.value(f"editor{name}")
            url = f"/admin/questions/new?track=hx&type={type_name}"
            if self.post(self.admin, url, data, f"new {type_name}").status_code == 302:
                self.editor_keys.append(data["key"])
        if self.editor_keys:  # a second version: the history shows the change line by line
            url = f"/admin/questions/{self.editor_keys[0]}/edit"
            self.edit(self.admin, url, {"prompt": self.value("editedprompt"), "action": "save"}, "edit")

    def _answer_fields(self, type_name: str) -> dict[str, str]:
        if type_name in ("short_text", "numeric"):
            value = self.value(f"answer{type_name}")
            if type_name == "short_text" and len(value) > SHORT_TEXT_MAX_LENGTH:  # the question's max_length
                head = marker(self.i, f"answer{type_name}") + " "
                value = head + value[len(value) - (SHORT_TEXT_MAX_LENGTH - len(head)):]
            return {"value": value}
        if type_name == "essay":
            return {"text": self.value("answeressay")}
        if type_name == "comparison":
            return {"better": "a", "rating_a": "5", "rating_b": "2", "justification": self.value("answerjustification")}
        if type_name == "ordering":
            return {"rank_1": hostile_value(self.i, "answerrank")}  # not a rank: refused
        return {"choice": hostile_value(self.i, f"answer{type_name}")}  # not an option: refused

    def take_the_assessment(self) -> int:
        self.get(self.candidate, "/assessments/hx-starter", "instructions")
        response = self.post(self.candidate, "/assessments/hx-starter", {"understood": "y"}, "start")
        assert response.status_code == 302 and "/attempts/" in response.headers["Location"], response.status_code
        attempt_id = int(response.headers["Location"].split("/")[2])
        with session_factory(self.app)() as session:
            types = {item.position: item.question_version.type for item in session.scalars(
                select(AttemptItem).where(AttemptItem.attempt_id == attempt_id))}
        assert sorted(types.values()) == sorted(TYPES)
        for position, type_name in sorted(types.items()):
            url = f"/attempts/{attempt_id}/q/{position}"
            response = self.post(self.candidate, url, {**self._answer_fields(type_name), "go": str(position)},
                                 f"answer {type_name}")
            if type_name in REFUSED_CHOICES:  # a value that is no option is refused, and not echoed back
                assert response.status_code == 422, (type_name, response.status_code)
            self.get(self.candidate, url, f"question {type_name}")
        self.get(self.candidate, f"/attempts/{attempt_id}/review", "review before submit")
        response = self.post(self.candidate, f"/attempts/{attempt_id}/submit", {"confirm": "y"}, "submit")
        assert response.status_code == 302
        return attempt_id

    def grade(self, attempt_id: int) -> None:
        self.get(self.grader, "/admin/grading", "grading queue")
        with session_factory(self.app)() as session:
            items = session.scalars(select(AttemptItem.id).where(
                AttemptItem.attempt_id == attempt_id, AttemptItem.pending)).all()
        assert items, "the essay and the comparison wait for a grader"
        for item_id in items:
            url = f"/admin/grading/items/{item_id}"
            page = self.get(self.grader, url, "grading item").get_data(as_text=True)
            fields = {name: ("0" if name.startswith("criterion_") else value)
                      for name, value in form_fields(page, url).items()}
            response = self.post(self.grader, url, {**fields, "comment": self.value("gradercomment")}, "grade")
            assert response.status_code == 302, response.get_data(as_text=True)[:500]

    def decide_and_review(self, attempt_id: int) -> None:
        self.get(self.admin, "/admin/decisions", "decisions")
        prefix = f"attempt-{attempt_id}"
        response = self.post(self.admin, f"/admin/decisions/{attempt_id}", {
            f"{prefix}-decision": "pass", f"{prefix}-reason": self.value("overridereason"), f"{prefix}-confirm": "y"},
            "decision")
        if response.status_code != 302:  # the reason was refused (too long): decide with a plain one
            response = self.post(self.admin, f"/admin/decisions/{attempt_id}", {
                f"{prefix}-decision": "pass", f"{prefix}-reason": "Checked by hand.", f"{prefix}-confirm": "y"},
                "decision")
        assert response.status_code == 302
        response = self.post(self.candidate, f"/attempts/{attempt_id}/results/open", {}, "open results")
        assert "/results/" in response.headers.get("Location", ""), response.headers.get("Location")
        self.get(self.candidate, response.headers["Location"], "results review")
        self.get(self.candidate, "/dashboard", "dashboard")

    def void(self, attempt_id: int) -> None:
        url = f"/admin/attempts/{attempt_id}/void"
        response = self.edit(self.admin, url, {"reason": self.value("voidreason")}, "void")
        assert response.status_code in (200, 302)

    def look_everywhere(self, attempt_id: int) -> None:
        search = self.value("search")
        admin_pages = ["/admin/", "/admin/candidates", f"/admin/candidates?q={search}", f"/admin/candidates/{self.user_id}",
                       f"/admin/attempts/{attempt_id}/grades", "/admin/audit", "/admin/questions",
                       f"/admin/questions?text={search}", "/admin/settings", "/admin/settings/tracks/hx",
                       "/admin/settings/tiers/basic", "/admin/settings/assessments/hx-starter", "/admin/grading"]
        for key in [*self.editor_keys, *(f"hx-{t}" for t in TYPES)]:
            admin_pages += [f"/admin/questions/{key}/preview", f"/admin/questions/{key}/history",
                            f"/admin/questions/{key}/edit"]
        browser = {f"/admin/candidates/{self.user_id}", f"/admin/attempts/{attempt_id}/grades", "/admin/audit",
                   "/admin/settings", *(f"/admin/questions/{k}/preview" for k in self.editor_keys),
                   *(f"/admin/questions/hx-{t}/preview" for t in TYPES), *(f"/admin/questions/{k}/history" for k in self.editor_keys[:1])}
        for url in admin_pages:
            self.get(self.admin, url, url.split("?")[0], browser=url in browser)
        for url in ("/dashboard", "/application", "/assessments/hx-starter"):
            self.get(self.candidate, url, url, browser=True)


def run_rounds(app: Flask, admin: FlaskClient, grader: FlaskClient, indices: range | list[int]) -> Tally:
    tally = Tally()
    for index in indices:
        Round(app, index, admin, grader, tally).run()
    assert len(HOSTILE) >= 25
    return tally
