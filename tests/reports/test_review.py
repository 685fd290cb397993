"""The caseload review's figures, computed directly (no notebook): they must agree with
the per-child change categories they summarise."""

from __future__ import annotations

from pathlib import Path

from tswt_formulation.demo import generate_caseload
from tswt_formulation.measures.service import service_summary
from tswt_formulation.reports.review import CaseloadReview

from ..conftest import AS_OF

CONSTANTS = str(
    Path(__file__).resolve().parents[2]
    / "tswt_formulation"
    / "measures"
    / "examples"
    / "demo_constants.yaml"
)


def test_service_figures_agree_with_the_categories():
    review = CaseloadReview.from_cases(
        generate_caseload(80, seed=4, as_of=AS_OF), AS_OF, constants=CONSTANTS
    )
    paired = review.change[review.change["paired"]]
    assert (paired["category"] == "Recovered").sum() > 0
    for by in ("wave", "informant"):
        summary = service_summary(review.change, by=by)
        assert summary["n_recovered"].sum() == (paired["category"] == "Recovered").sum()
        assert summary["n_paired"].sum() == len(paired)
        assert summary["n_unpaired"].sum() == (~review.change["paired"]).sum()
        assert (
            summary["n_reliable_improvement"].sum()
            == (paired["reliable_change"] == "improved").sum()
        )
    html = review.service_figures().html
    assert "None ()" not in html and "Recovered" in html
