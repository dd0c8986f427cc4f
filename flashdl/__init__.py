"""flashdl: terminal flashcards and spaced repetition for deep-learning interview preparation."""

__version__ = "0.1.0"
