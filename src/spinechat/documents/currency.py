"""Whether a knowledge document is current: its front matter's review fields and review status.

A document may say who owns it (``owner``), which version it is (``version``), when it was last
reviewed (``reviewed``) and by when it must be reviewed again (``review_by``), dates as
YYYY-MM-DD. Its status on a given day is "current", "review due" (``review_by`` within
``REVIEW_SOON_DAYS``), "past review" (``review_by`` has passed) or "no review date". A
superseded leaflet cited to patients is hazard H-004 (docs/clinical-safety/hazards.toml).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from spinechat.documents.types import DocumentError

CURRENCY_FIELDS = ("owner", "version", "reviewed", "review_by")
DATE_FIELDS = ("reviewed", "review_by")
# A month's notice: time for the owner to review a leaflet before it goes past its date.
REVIEW_SOON_DAYS = 30

Status = Literal["current", "review due", "past review", "no review date"]
STATUSES: tuple[Status, ...] = ("current", "review due", "past review", "no review date")


def parse_review_date(value: Any, field: str) -> dt.date:
    """``value`` (a YAML date or a YYYY-MM-DD string) as a date, or a one-line DocumentError."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip() if value is not None else ""
    try:
        # Python 3.11 also reads "20261205" and week dates; the front matter takes one form.
        if len(text) == 10:
            return dt.date.fromisoformat(text)
    except ValueError:
        pass
    raise DocumentError(f"invalid {field!r} date {text!r} in the front matter: use YYYY-MM-DD")


def check_currency(meta: dict[Any, Any]) -> None:
    """Raise a one-line DocumentError when the front matter's review fields are unusable."""
    for key in ("owner", "version"):
        value = meta.get(key)
        if value is not None and (isinstance(value, dict | list) or not str(value).strip()):
            raise DocumentError(f"invalid {key!r} in the front matter: give it as plain text")
    dates = {key: parse_review_date(meta[key], key) for key in DATE_FIELDS if key in meta}
    if len(dates) == 2 and dates["review_by"] < dates["reviewed"]:
        raise DocumentError(
            f"review_by ({dates['review_by']}) is before reviewed ({dates['reviewed']}) "
            "in the front matter"
        )


def review_by_date(meta: dict[str, Any]) -> dt.date | None:
    """The ``review_by`` date of a document's (or chunk's) metadata; None when not given or bad."""
    raw = meta.get("review_by")
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(str(raw))
    except ValueError:
        return None


def review_status(review_by: dt.date | None, today: dt.date) -> Status:
    """A document's status on ``today`` from its ``review_by`` date (see the module docstring)."""
    if review_by is None:
        return "no review date"
    if review_by < today:
        return "past review"
    if review_by <= today + dt.timedelta(days=REVIEW_SOON_DAYS):
        return "review due"
    return "current"


def is_stale(meta: dict[str, Any], today: dt.date) -> bool:
    """True when the metadata's ``review_by`` date has passed on ``today``."""
    return review_status(review_by_date(meta), today) == "past review"


def format_review_date(raw: str) -> str:
    """An ISO date as shown to patients ("5 Dec 2026"); "" for none, the text itself if not ISO."""
    if not raw:
        return ""
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        return raw
    return f"{day.day} {day:%b %Y}"
