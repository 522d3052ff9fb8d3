"""Feedback from the feedback form, kept for administrators to read."""

from __future__ import annotations

from sqlmodel import Session, select

from ..models import Feedback
from .paging import Page, paginate


def save(
    session: Session, comments: str, doing: str | None, email: str | None, page: str | None
) -> Feedback:
    item = Feedback(comments=comments, doing=doing or "", email=email, page=page)
    session.add(item)
    session.commit()
    return item


def newest_first(session: Session, page: int) -> Page[Feedback]:
    return paginate(session, select(Feedback).order_by(Feedback.id.desc()), page)
