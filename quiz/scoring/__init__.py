"""The pure scoring core: attempt scores, pass/fail, tier placement. Standard library only."""

from quiz.scoring.attempts import (
    AttemptScore,
    ScoredItem,
    ScoringPending,
    TopicScore,
    decide,
    item_points,
    round_points,
    score_attempt,
)
from quiz.scoring.tiers import TierRef, place_tier

__all__ = [
    "AttemptScore",
    "ScoredItem",
    "ScoringPending",
    "TierRef",
    "TopicScore",
    "decide",
    "item_points",
    "place_tier",
    "round_points",
    "score_attempt",
]
