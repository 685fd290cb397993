"""Regenerate notebooks/*.ipynb (thin, output-free) from this one source: python tools/make_notebooks.py"""

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

KERNEL = {
    "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
    "language_info": {"name": "python"},
}


def nb(cells):
    n = new_notebook(cells=cells, metadata=KERNEL)
    for i, c in enumerate(n.cells):
        c["id"] = f"c{i:02d}"
    return n


def params(src):
    return new_code_cell(src, metadata={"tags": ["parameters"]})


def report(title, intro, param_src, build_src, section_calls):
    cells = [
        new_markdown_cell(f"# {title}\n\n{intro}"),
        params(param_src),
        new_code_cell(build_src),
    ]
    cells += [new_code_cell(call) for call in section_calls]
    return nb(cells)


formulation = report(
    "Formulation report",
    "A child's therapeutic needs screening, formulation and recommendation, for the case file.\n"
    "Set the parameters below, or let `tswt reports --kind formulation` fill them in. Every section comes from "
    "`tswt_formulation.reports`; staff text is shown exactly as typed.",
    'case_id = "TSW-900001"  # pseudonymous case id\nstore = None  # path or URL of the case store (default: $TSWT_STORE, else ./tswt.sqlite)\n'
    'as_of = None  # report date "YYYY-MM-DD" (default: today)\nversion = "signed_off"  # "signed_off" (default) or "latest"',
    "from tswt_formulation.reports.formulation import FormulationReport\n\n"
    "report = FormulationReport.from_store(case_id, store, as_of, version)\nreport.header()",
    [
        "report.risks()",
        "report.recommendation_section()",
        "report.child()",
        "report.eligibility_section()",
        "report.timeline()",
        "report.history_and_behaviours()",
        "report.five_ps()",
        "report.voices()",
        "report.signoff()",
        "report.how_reached()",
        "report.provenance()",
    ],
)

outcomes = report(
    "Outcomes report",
    "A child's outcome measures over time: scores and bands by informant, the reliable-change corridor, goal progress, "
    "change against baseline and not-on-track flags. Reliable change needs the team's constants "
    "(`TSWT_MEASURE_CONSTANTS`; see docs/measures.md).",
    'case_id = "TSW-900001"  # pseudonymous case id\nstore = None  # path or URL of the case store\nas_of = None  # report date "YYYY-MM-DD" (default: today)\n'
    "constants = None  # the team's reliable-change constants file (default: $TSWT_MEASURE_CONSTANTS)",
    "from tswt_formulation.reports.outcomes import OutcomesReport\n\nreport = OutcomesReport.from_store(case_id, store, as_of, constants)\nreport.header()",
    [
        "report.risks()",
        "report.flags()",
        "report.charts()",
        "report.charts_in_words()",
        "report.work()",
        "report.change_table()",
        "report.scores()",
        "report.provenance()",
    ],
)

review = report(
    "Caseload review",
    "For supervision: who to discuss first (risk, reliable deterioration, screening overdue, sign-off waiting), the flags "
    "that need a decision, each worker's children one per line, children not on track, and the service-level change figures.",
    'store = None  # path or URL of the case store\nas_of = None  # review date "YYYY-MM-DD" (default: today)\nworker = None  # only this worker\'s cases (default: everyone)\n'
    "constants = None  # the team's reliable-change constants file (default: $TSWT_MEASURE_CONSTANTS)\n"
    "waiting_days = None  # the team's standard wait for a decision or allocation (default: $TSWT_WAITING_DAYS, else 14)\n"
    "author = None  # who prepares the review (default: $TSWT_USER, else your login)",
    "from tswt_formulation.reports.review import CaseloadReview\n\n"
    "report = CaseloadReview.from_store(store, as_of, worker, constants, waiting_days, author)\nreport.header()",
    [
        "report.risks()",
        "report.first()",
        "report.supervision_flags()",
        "report.by_worker()",
        "report.summary()",
        "report.not_on_track()",
        "report.service_figures()",
        "report.work_summary()",
        "report.provenance()",
    ],
)

walk = nb(
    [
        new_markdown_cell(
            "# Screening walkthrough\n\n"
            "A step-by-step example for a therapeutic social worker: record a referral and a six-week screening for a "
            "**synthetic** child, check eligibility, get the recommended wave, stage and services with the reasons, and draft "
            "the formulation. It uses a scratch store, so it never touches your team's cases."
        ),
        params(
            'store = None  # leave as None to use a scratch store in a temporary folder\nuser = "c.mensah"  # who is making the changes (kept in the audit log)'
        ),
        new_markdown_cell(
            "## 1. Open a case store\nEvery change you save is kept in the audit log with your name and the time."
        ),
        new_code_cell(
            "import tempfile\nfrom datetime import date\nimport tswt_formulation as tswt\n\n"
            "if store is None:\n    store = tempfile.mkdtemp(prefix='tswt-walkthrough-') + '/walkthrough.sqlite'\n"
            "cases = tswt.open_store(store, user=user, create=True)\ncases"
        ),
        new_markdown_cell(
            "## 2. Record the referral\nA child is known by a pseudonymous case id, never a name. Dates are checked: a decision "
            "cannot come before the referral, nor anything be dated in the future."
        ),
        new_code_cell(
            "referral = {\n"
            "    'case_id': 'TSW-999001', 'synthetic': True,\n"
            "    'child': {'case_management_ref': 'SYNTH-WALK-1', 'date_of_birth': '2016-04-02', 'sex': 'female',\n"
            "              'legal_status': {'status': 'looked_after', 'start': '2024-09-01'},\n"
            "              'placement': {'type': 'foster_care', 'start': '2025-12-01', 'moves_last_12_months': 1},\n"
            "              'caregiver': {'relationship': 'foster_carer', 'can_take_part': True}},\n"
            "    'referral': {'received': '2026-03-02', 'referrer': {'name': 'J. Adeyemi', 'role': 'social_worker'},\n"
            "                 'consent': {'given_by': 'carer', 'date': '2026-03-01', 'informed': True},\n"
            "                 'approval': {'by': 'T. Harper', 'date': '2026-03-02'},\n"
            "                 'reasons': 'Bedtimes are very hard and school reports she withdraws.',\n"
            "                 'decision': {'outcome': 'accepted', 'date': '2026-03-09'},\n"
            "                 'allocation': {'date': '2026-03-16', 'worker': 'c.mensah'}},\n"
            "}\n"
            "case = tswt.case_from_data(referral)\n"
            "if case.case_id not in cases:\n    cases.add(case)\n"
            "tswt.check_eligibility(case).summary"
        ),
        new_markdown_cell(
            "## 3. The six-week screening\nThe screening is due six weeks after allocation."
        ),
        new_code_cell("tswt.case_timeline(cases.get('TSW-999001'), date(2026, 4, 1)).due_text"),
        new_code_cell(
            "case = cases.get('TSW-999001')\n"
            "case.screening = tswt.Screening.model_validate({\n"
            "    'started': date(2026, 3, 18), 'completed': date(2026, 4, 24),\n"
            "    'history_factors': [{'factor': 'neglect', 'evidence': 'Chronic neglect documented before care.', 'sources': ['social_worker']}],\n"
            "    'presenting_behaviours': [\n"
            "        {'behaviour': 'regulatory_sleep', 'evidence': 'Wakes most nights, frightened.', 'sources': ['carer'], 'frequency': 'daily', 'severity': 'moderate'},\n"
            "        {'behaviour': 'internalising_withdrawal', 'evidence': 'Quiet and alone at break times.', 'sources': ['school'], 'frequency': 'weekly', 'severity': 'moderate'}],\n"
            "    'life_story_work': 'planned',\n"
            "    'child_voice': 'I like it here. I want the bad dreams to stop.',\n"
            "    'carer_views': 'We love having her; we need help with nights.',\n"
            "    'strengths': ['Loves drawing', 'Close to her foster carer']})\n"
            "case = cases.save(case, note='screening recorded')\ncase.screening.completed"
        ),
        new_markdown_cell(
            "## 4. The recommendation, with its reasons\nEvery part says which rule produced it and why; risks always come first."
        ),
        new_code_cell(
            "from tswt_formulation.rules import recommend\n\nrec = recommend(case)\nprint(rec.to_text())"
        ),
        new_markdown_cell(
            "## 5. Draft the formulation\nThe 5 Ps are pre-filled from the screening; the narrative is always your own words. "
            "Then accept the recommendation, or change any part of it with your reason."
        ),
        new_code_cell(
            "from tswt_formulation import casework\n\n"
            "case = casework.create_draft(cases, 'TSW-999001')\n"
            "case = casework.update_formulation(cases, 'TSW-999001', narrative=(\n"
            "    'Early neglect taught her that adults may not come at night. The move in December revived that fear; '\n"
            "    'her carer\\'s warmth is the strongest protective factor.'))\n"
            "case = casework.decide(cases, 'TSW-999001', accept=True)\n"
            "case = casework.submit_for_signoff(cases, 'TSW-999001')\n"
            "[(p, [e.text for e in getattr(case.formulation.five_ps, p)]) for p in ('presenting', 'predisposing', 'protective')]"
        ),
        new_markdown_cell(
            "## 6. What was recorded\nThe audit log shows every change: who, when and what. A clinical psychologist now signs it off "
            "(`tswt signoff TSW-999001 --approve`), and `tswt reports TSW-999001 --kind formulation` produces the report."
        ),
        new_code_cell("[(e.user, e.action, e.note) for e in cases.audit_log('TSW-999001')]"),
        new_code_cell("cases.close()"),
    ]
)

for name, book in (
    ("formulation_report", formulation),
    ("outcomes_report", outcomes),
    ("caseload_review", review),
    ("screening_walkthrough", walk),
):
    nbformat.write(book, f"notebooks/{name}.ipynb")
print("ok")
