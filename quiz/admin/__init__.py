"""The admin and grader area: banks, grading and decisions, candidates, records."""
