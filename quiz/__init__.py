"""quiz: a self-hosted assessment engine.

Importing this package must stay cheap and framework-free: the pure core
(`quiz.question_types`, `quiz.scoring`) is imported by tools that have no Flask.
"""

__version__ = "0.1.0"
