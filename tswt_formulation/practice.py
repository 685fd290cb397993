"""Constants of the practice (docs/domain.md), in a module with no imports, so that the
light paths (the caseload's timeline) can use them without loading the case model."""

SCREENING_WEEKS = 6  # the therapeutic needs screening is due six weeks after allocation
