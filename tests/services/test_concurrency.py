"""Two starts (or two review claims) at the same instant: exactly one wins, the other gets a clean message.

Threads on both engines; separate processes on PostgreSQL (the multi-server deployment).
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from quiz.assessment.errors import AlreadyAttempted, AlreadyStarted, AssessmentError, ReviewOpenElsewhere
from quiz.assessment.review import open_review
from quiz.assessment.services import save_answer, start_attempt, submit_attempt
from quiz.db import immediate_transactions, make_engine, make_session_factory
from quiz.models import Attempt, User
from tests.services.conftest import GRACE, T0, WINDOW, assessment, candidate

Outcome = str


def _race(engine: Engine, work: Callable[[Session], Outcome], *, contenders: int = 2) -> list[Outcome]:
    """Run `work` in threads released together; each has its own session and commits."""
    sqlite = engine.dialect.name == "sqlite"
    barrier = threading.Barrier(contenders)
    factory = make_session_factory(engine)
    outcomes: list[Outcome] = []

    def contender() -> None:
        with immediate_transactions(), factory() as session:
            if sqlite:
                barrier.wait()  # SQLite: the write lock orders them; release before the first read
            try:
                outcomes.append(work(session, barrier if not sqlite else None))
                session.commit()
            except AssessmentError as exc:
                session.rollback()
                outcomes.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=contender) for _ in range(contenders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(outcomes)


def _start(user_id: int, key: str) -> Callable[..., Outcome]:
    def work(session: Session, barrier: threading.Barrier | None) -> Outcome:
        user, target = session.get(User, user_id), assessment(session, key)
        _ = user.application  # everything read before the race, so only the insert is left
        if barrier is not None:
            barrier.wait()  # PostgreSQL: both have read "no attempt yet"; the unique index decides
        start_attempt(session, user, target, T0)
        return "started"
    return work


def test_two_starts_at_the_same_instant_make_one_attempt(bank: Session, engine: Engine) -> None:
    user = candidate(bank)
    bank.commit()
    outcomes = _race(engine, _start(user.id, "alpha-starter"))
    assert outcomes[1] == "started"
    assert outcomes[0].startswith("AlreadyStarted: ") and "already started" in outcomes[0]
    assert bank.scalar(select(func.count()).select_from(Attempt)) == 1


def test_the_start_that_loses_the_race_is_given_the_winners_attempt(bank: Session, engine: Engine) -> None:
    user = candidate(bank)
    bank.commit()
    refused: list[AlreadyStarted] = []

    def start_or_note(session: Session, barrier: threading.Barrier | None) -> Outcome:
        try:
            return _start(user.id, "alpha-starter")(session, barrier)
        except AlreadyStarted as exc:
            refused.append(exc)
            raise

    _race(engine, start_or_note)
    assert len(refused) == 1
    assert refused[0].attempt_id == bank.scalar(select(Attempt.id).where(Attempt.user_id == user.id))


def test_two_starters_of_different_tracks_at_once_make_one_attempt(bank: Session, engine: Engine) -> None:
    user = candidate(bank)
    bank.commit()
    barrier_work = [_start(user.id, "alpha-starter"), _start(user.id, "beta-starter")]
    sqlite = engine.dialect.name == "sqlite"
    barrier = threading.Barrier(2)
    factory = make_session_factory(engine)
    outcomes: list[str] = []

    def contender(work: Callable[..., Outcome]) -> None:
        with immediate_transactions(), factory() as session:
            if sqlite:
                barrier.wait()
            try:
                outcomes.append(work(session, None if sqlite else barrier))
                session.commit()
            except AlreadyAttempted as exc:
                outcomes.append(f"refused: {exc}")

    threads = [threading.Thread(target=contender, args=(w,)) for w in barrier_work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(o.split(":")[0] for o in outcomes) == ["refused", "started"]
    assert bank.scalar(select(func.count()).select_from(Attempt)) == 1


def test_two_tabs_opening_the_review_at_once_one_wins(bank: Session, engine: Engine) -> None:
    user = candidate(bank)
    attempt = start_attempt(bank, user, assessment(bank, "alpha-starter"), T0)
    for item in attempt.items:
        save_answer(bank, attempt, item.position, "a", 1, T0, GRACE)
    submit_attempt(bank, attempt, T0 + timedelta(minutes=1), GRACE)
    bank.commit()
    attempt_id = attempt.id

    def claim(session: Session, barrier: threading.Barrier | None) -> Outcome:
        target = session.get(Attempt, attempt_id)
        if barrier is not None:
            barrier.wait()
        open_review(session, target, T0 + timedelta(hours=1), WINDOW)
        return "opened"

    outcomes = _race(engine, claim)
    assert outcomes[1] == "opened"
    assert outcomes[0].startswith(f"{ReviewOpenElsewhere.__name__}: ")


def _process_start(url: str, user_id: int, barrier, results) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        user, target = session.get(User, user_id), assessment(session, "alpha-starter")
        _ = user.application
        barrier.wait()
        try:
            start_attempt(session, user, target, T0)
            session.commit()
            results.put("started")
        except AlreadyAttempted:
            results.put("refused")
    engine.dispose()


def test_two_server_processes_starting_at_once_make_one_attempt(bank: Session, engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("several server processes share PostgreSQL; the SQLite case is the thread test above")
    user = candidate(bank)
    bank.commit()
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(2), context.Queue()
    url = engine.url.render_as_string(hide_password=False)
    processes = [context.Process(target=_process_start, args=(url, user.id, barrier, results)) for _ in range(2)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=60)
    assert sorted(results.get(timeout=5) for _ in processes) == ["refused", "started"]
    assert bank.scalar(select(func.count()).select_from(Attempt)) == 1


def _autosave_setup(bank: Session):  # type: ignore[no-untyped-def]
    from quiz.auth.sessions import start_session

    user = candidate(bank)
    attempt = start_attempt(bank, user, assessment(bank, "alpha-starter"), T0)
    login_token = start_session(bank, user, T0)
    item = attempt.items[0]
    right = item.question_version.definition["correct"]
    bank.commit()  # read before: the test's own session then reads again only after the race
    return attempt, item, login_token, right


def _autosave(session: Session, login_token: str, attempt_id: int, position: int, answer: object) -> str:
    """The autosave view's path: two statements in autocommit, the full path if the UPDATE wrote nothing."""
    from quiz.assessment.autosave import load_save_target_by_session, save_if_newer, save_in_transaction
    from quiz.assessment.errors import AttemptClosed
    from quiz.auth.sessions import token_hash
    from quiz.db import begin_autocommit, end_autocommit

    begin_autocommit(session)
    found = load_save_target_by_session(session, token_hash(login_token), attempt_id, position)
    assert found is not None
    login, target = found
    moment = T0 + timedelta(minutes=1)
    if save_if_newer(session, target, answer, 1, moment, GRACE) is not None:
        return "saved"
    end_autocommit(session)
    try:
        save_in_transaction(session, login.user_id, target, answer, 1, moment, GRACE)
    except AttemptClosed:
        return "closed"
    return "not newer"


def test_an_acknowledged_autosave_is_graded_by_the_submit(bank: Session, engine: Engine) -> None:
    from quiz.models import AttemptItem

    attempt, item, login_token, right = _autosave_setup(bank)
    factory = make_session_factory(engine)
    with immediate_transactions(), factory() as session:
        assert _autosave(session, login_token, attempt.id, item.position, right) == "saved"
        session.rollback()  # nothing left to commit: the UPDATE committed itself
    with immediate_transactions(), factory() as session:
        submit_attempt(session, session.get(Attempt, attempt.id), T0 + timedelta(minutes=1), GRACE)
        session.commit()
    bank.expire_all()
    graded = bank.get(AttemptItem, item.id)
    assert graded.answer == right and graded.points_awarded == graded.question_version.points


def test_an_autosave_arriving_during_the_submit_waits_for_it_and_stores_nothing(bank: Session,
                                                                                engine: Engine) -> None:
    """The autosave reads its question without a lock while the submit grading the attempt is still
    uncommitted; its UPDATE then waits for the submit and, finding the attempt submitted, writes
    nothing: the candidate is told the attempt is closed, never acknowledged with an ungraded answer."""
    from quiz.models import AttemptItem

    attempt, item, login_token, right = _autosave_setup(bank)
    factory = make_session_factory(engine)
    graded_uncommitted, save_done = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def submit() -> None:
        with immediate_transactions(), factory() as session:
            loaded = session.scalar(select(Attempt).where(Attempt.id == attempt.id).with_for_update())
            submit_attempt(session, loaded, T0 + timedelta(minutes=1), GRACE)
            session.flush()
            graded_uncommitted.set()
            outcome["save done before the submit committed"] = save_done.wait(0.7)
            session.commit()

    def autosave() -> None:
        graded_uncommitted.wait(10)
        with immediate_transactions(), factory() as session:
            outcome["autosave"] = _autosave(session, login_token, attempt.id, item.position, right)
            session.commit()
        save_done.set()

    threads = [threading.Thread(target=submit), threading.Thread(target=autosave)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert outcome == {"save done before the submit committed": False, "autosave": "closed"}
    bank.expire_all()
    graded = bank.get(AttemptItem, item.id)
    assert graded.answer is None and graded.points_awarded == 0
