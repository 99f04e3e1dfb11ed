"""What the answerer knows about wording, kept as data: one module per language."""
from . import en, zh

__all__ = ["en", "zh"]
