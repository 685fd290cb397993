"""Constants of the practice (docs/domain.md), in a module with no imports, so that the
light paths (the caseload's timeline) can use them without loading the case model."""

SCREENING_WEEKS = 6  # the therapeutic needs screening is due six weeks after allocation
REVIEW_MONTHS = 3  # the work is reviewed every three months unless the team sets TSWT_REVIEW_MONTHS
SESSION_GAP_WEEKS = (
    6  # an open intervention with no session for this long is flagged on the caseload
)
#: SDQs of two informants this many days apart or fewer are compared (TSWT_INFORMANT_WINDOW_DAYS).
INFORMANT_WINDOW_DAYS = 30

#: Who an intervention is for, and who took part in a session.
PARTICIPANTS = ("child", "carer", "network", "professionals")
#: How an intervention or the involvement ended; every reason but ``planned`` is an unplanned ending (CORC).
ENDING_REASONS = ("planned", "disengaged", "moved_out_of_area", "aged_out", "transferred", "other")
ENDING_LABELS = {
    "planned": "planned ending",
    "disengaged": "disengaged",
    "moved_out_of_area": "moved out of area",
    "aged_out": "aged out of the service",
    "transferred": "transferred",
    "other": "other",
}
ATTENDANCE_LABELS = {
    "attended": "attended",
    "did_not_attend": "did not attend",
    "cancelled_by_family": "cancelled by the family",
    "cancelled_by_team": "cancelled by the team",
}
#: The vocabulary an intervention's ``what`` comes from, by its ``kind``.
KIND_VOCABULARY = {"service": "service", "model": "direct_work_model", "wave": "wave_intervention"}
