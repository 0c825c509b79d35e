"""Account audiences from declarative rules (``account_audiences.yaml``)."""

from buying_groups.audiences.members import build_audience_members

__all__ = ["build_audience_members"]
