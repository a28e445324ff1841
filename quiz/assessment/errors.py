"""Domain errors of taking an assessment; views turn them into messages and status codes."""


class AssessmentError(Exception):
    """Base: the message is written for the candidate."""

    status = 400


class NotEligible(AssessmentError):
    status = 403


class AlreadyAttempted(AssessmentError):
    status = 409


class AttemptClosed(AssessmentError):
    """The attempt is submitted, or its time (with the grace) is over: nothing more counts."""

    status = 409


class ReviewUnavailable(AssessmentError):
    status = 409


class ReviewOpenElsewhere(ReviewUnavailable):
    pass
