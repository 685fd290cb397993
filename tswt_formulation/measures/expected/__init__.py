"""Expected progress from the team's own completed episodes (issue 23).

Outcome-monitoring systems compare a child with the progress expected of children who
started alike and flag those falling short early (Finch, Lambert & Schaalje, 2001;
Lutz et al., 2006). The published curves were fitted on other measures and populations;
this module fits them on the team's own completed episodes. The method, its choices and
its references are in docs/change.md ("Expected progress").

**Method: empirical conditional centiles of change from baseline.** For each measure,
scale and informant, completed episodes are grouped by their baseline severity (the
scale's own band of the baseline score; neighbouring bands merged while a band has
fewer than the minimum of episodes; split by age band at baseline only where every age
band has the minimum). For each month since work began (0 to
:data:`MAX_MONTH`), each episode contributes its follow-up administration nearest that
month within :data:`WINDOW_MONTHS` either side (pooling neighbouring months), and the
10th, 25th, 50th, 75th and 90th centiles of the change from the episode's own baseline
are taken (numpy's default linear interpolation, Hyndman & Fan type 7). A child's
expected score at a month is their own baseline plus the median change; the band's two
lines are their baseline plus the change that 1 in 4 (and 1 in 10) children who started
alike did worse than. Where a stratum has fewer than the minimum of episodes at a month,
there is no curve there: never a curve from too little data, and the rule-based alert
(:func:`~tswt_formulation.measures.service.not_on_track`) stays.

- :func:`points_from_scores`: follow-up points with their baseline and months in work,
  from :func:`tswt_formulation.analysis.scores` and each case's work dates.
- :func:`fit`: an :class:`ExpectedModel` (written and read as JSON: :meth:`ExpectedModel.save`,
  :func:`load_model`).
- :func:`judge`: each series of a caseload against the model: below band, how far, since when.
- :func:`check`: split-half validation against the rule-based alert.
- :func:`synthetic_history`: episodes generated with a known expected course (tests, bench).

The code is in submodules (issue 25): :mod:`.model` (the constants, :class:`ExpectedModel`,
merging strata), :mod:`.points`, :mod:`.fitting`, :mod:`.judging`, :mod:`.checking` and
:mod:`.synthetic`; every name is imported here, so ``tswt_formulation.measures.expected``
offers all it did as one module.

numpy and pandas are imported where used, so the light command line never loads them.
"""

from __future__ import annotations

from ...errors import Problem, ScoringError, TswtError
from .checking import (
    CheckResult,
    _rule_flags,
    check,
    half_of,
)
from .fitting import (
    _group_quantiles,
    _lines,
    fit,
)
from .judging import (
    JUDGE_COLUMNS,
    _day,
    _num,
    _reason,
    band_course,
    band_for,
    below_band,
    judge,
)
from .model import (
    _KEYS,
    AGE_BANDS,
    CENTILES,
    DAYS_PER_MONTH,
    DEFAULT_MINIMUM,
    MAX_MONTH,
    METHOD,
    MODEL_FORMAT,
    NO_BAND,
    REFERENCES,
    RULE_BASED,
    WINDOW_MONTHS,
    ExpectedModel,
    _band_order,
    _merge_strata,
    load_model,
    model_path,
    too_few_reason,
)
from .points import (
    _FACTS,
    _age_label,
    _facts_per_row,
    _scale_facts,
    age_band_codes,
    points_from_cases,
    points_from_scores,
    points_from_store,
    scores_from_cases,
    work_dates,
    work_from_cases,
)
from .synthetic import (
    _FORM,
    SYNTHETIC_BASELINE,
    SYNTHETIC_DROP,
    SYNTHETIC_NOISE_SD,
    SYNTHETIC_RATE_SD,
    SYNTHETIC_SHARE,
    SYNTHETIC_TAU,
    _normal_ppf,
    synthetic_constants,
    synthetic_history,
    synthetic_mean_change,
    true_change_centile,
)

__all__ = [
    "CENTILES",
    "DEFAULT_MINIMUM",
    "MAX_MONTH",
    "MODEL_FORMAT",
    "RULE_BASED",
    "WINDOW_MONTHS",
    "CheckResult",
    "ExpectedModel",
    "check",
    "fit",
    "judge",
    "load_model",
    "model_path",
    "points_from_scores",
    "synthetic_history",
    "true_change_centile",
]
