"""Domain errors of taking an assessment; views turn them into messages and status codes."""


class AssessmentError(Exception):
    """Base: the message is written for the candidate."""

    status = 400


class NotEligible(AssessmentError):
    status = 403


class AlreadyAttempted(AssessmentError):
    status = 409


class AlreadyStarted(AlreadyAttempted):
    """The candidate's own attempt at this assessment is open (another tab or click started it): go on with it."""

    def __init__(self, message: str, attempt_id: int) -> None:
        super().__init__(message)
        self.attempt_id = attempt_id


class AttemptClosed(AssessmentError):
    """The attempt is submitted, or its time (with the grace) is over: nothing more counts."""

    status = 409


class ReviewUnavailable(AssessmentError):
    status = 409


class ReviewOpenElsewhere(ReviewUnavailable):
    pass
