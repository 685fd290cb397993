"""How the outcomes report names what it shows: each score's label, each informant's
(capitalised), and a score as a whole number."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..words import INFORMANT_WORDS, SCALE_WORDS

_SCORE_LABELS = {
    **SCALE_WORDS,
    "impact": "Impact",
    "goal_1": "Goal 1",
    "goal_2": "Goal 2",
    "goal_3": "Goal 3",
}
_INFORMANTS = {i: words[0].upper() + words[1:] for i, words in INFORMANT_WORDS.items()}


def _num(v: Any) -> str:
    return "" if v is None or (not isinstance(v, str) and pd.isna(v)) else f"{round(float(v))}"
