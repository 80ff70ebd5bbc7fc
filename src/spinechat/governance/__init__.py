"""Clinical governance: the hazard log and the clinical safety case (NHS DCB0129) built from data."""

from spinechat.governance.hazards import (
    Control,
    Hazard,
    HazardLogError,
    find_missing_paths,
    find_missing_tests,
    load_hazards,
    risk_rating,
)
from spinechat.governance.safety_case import check_documents, render_documents, write_documents

__all__ = [
    "Control",
    "Hazard",
    "HazardLogError",
    "check_documents",
    "find_missing_paths",
    "find_missing_tests",
    "load_hazards",
    "render_documents",
    "risk_rating",
    "write_documents",
]
