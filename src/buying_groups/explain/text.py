"""``explain`` as text for a terminal: scores rounded to whole numbers (as every display of
them), margins to one decimal so a near miss does not read as 0."""

from __future__ import annotations

from typing import Any


def _n(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def _margin(test: dict[str, Any]) -> str:
    if test["threshold"] is None:
        return "no threshold"
    verb = "held" if test["held"] else "failed"
    return f"{verb} by {abs(test['margin']):.1f}"


def _table(rows: list[list[str]], indent: str = "  ") -> list[str]:
    if not rows:
        return []
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        indent + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows
    ]


def _member_line(member: dict[str, Any]) -> list[str]:
    who = member["person_key"]
    if member.get("person_name") or member.get("job_title"):
        who += f" ({', '.join(x for x in (member.get('person_name'), member.get('job_title')) if x)})"
    return [who, member["role"], member["assignment_source"], _n(member["person_engagement_score"])]


def _files(files: list[dict[str, Any]]) -> list[str]:
    if not files:
        return ["  in no output file"]
    rows = []
    for f in files:
        detail = f["what"] + (f" ({f['rows']} row{'s' if f['rows'] != 1 else ''})" if "rows" in f else "")
        rows.append([f["path"], detail])
    return _table(rows)


def group_text(explanation: dict[str, Any]) -> str:
    g = explanation["group"]
    lines = [
        f"Buying group {g['buying_group_id']}: {g['name']}",
        f"  solution interest {g['solution_interest_id']} ({g['solution_interest_name']}), "
        f"account {g['account_name'] or '-'} ({g['account_key']}), as of {g['as_of']}",
        f"  stage {g['stage']}; completeness {_n(g['completeness_score'])} "
        f"(weighted {_n(g['weighted_completeness_score'])}); engagement {_n(g['engagement_score'])}; "
        f"{g['member_count']} members, {g['interested_members']} showing interest",
        "",
        "Stage (the first whose thresholds all hold):",
    ]
    lines += _table(
        [
            [t["stage"], f"{t['score']} {_n(t['value'])} >= {t['threshold_name']} {_n(t['threshold'])}", _margin(t)]
            for t in explanation["stage_tests"]
        ]
    )
    lines += ["", "Roles (completeness = 100 x min(assigned, required) / required):"]
    lines += _table(
        [["role", "weight", "required", "members needed", "assigned", "completeness"]]
        + [
            [
                r["role"],
                _n(r["weight"]),
                "yes" if r["required"] else "no",
                str(r["members_required"]),
                str(r["members_assigned"]),
                _n(r["role_completeness"]),
            ]
            for r in explanation["roles"]
        ]
    )
    missing = g["missing_roles"]
    lines.append(f"  missing: {', '.join(missing) if missing else 'none'}")
    lines += ["", "Members (person, role, source, engagement) and why:"]
    if not explanation["members"]:
        lines.append("  none")
    for member in explanation["members"]:
        lines += _table([_member_line(member)])
        lines.append(f"      {member['reason']}")
    if explanation["removed_members"]:
        lines += ["", "Removed members and why:"]
        for member in explanation["removed_members"]:
            lines += _table([_member_line(member)])
            lines.append(f"      {member['reason']}")
    e = explanation["engagement"]
    lines += ["", "Engagement (group raw = sum of role score x weight / sum of weights of roles present):"]
    lines += _table(
        [["role", "members", "sum of person scores", "weight"]]
        + [[r["role"], str(r["members"]), _n(r["person_scores"]), _n(r["weight"])] for r in e["roles_present"]]
    )
    if e["max_group_raw"] is None:
        lines.append(f"  group raw {e['group_raw']:.1f}; engagement_score 0 (no engagement, or none in any group)")
    else:
        lines.append(
            f"  group raw {e['group_raw']:.1f}; engagement_score = 100 x sqrt({e['group_raw']:.1f}) / "
            f"sqrt(top group raw {e['max_group_raw']:.1f}) = {_n(e['engagement_score'])}"
        )
    lines += ["", "Lifecycle and journeys:"]
    life = explanation["lifecycle"]
    if not life["available"]:
        lines.append("  no journeys in this warehouse")
    else:
        lines.append(f"  lifecycle stage {life['lifecycle_stage'] or '-'}")
        for j in life["journeys"]:
            lines.append(
                f"  journey {j['journey_id']} entry {j['entry_number']}: {j['status']} at node {j['node_id']} "
                f"since {j['node_entered_on']}"
            )
        if not life["journeys"]:
            lines.append("  in no journey")
    lines += ["", "Output files:"]
    lines += _files(explanation["files"])
    return "\n".join(lines) + "\n"


def person_text(explanation: dict[str, Any]) -> str:
    p = explanation["person"]
    e = explanation["engagement"]
    name = ", ".join(x for x in (p["person_name"], p["job_title"]) if x)
    lines = [
        f"Person {p['person_key']}" + (f": {name}" if name else ""),
        f"  account {p['account_name'] or '-'} ({p['account_key'] or '-'})" + ("; DELETED" if p["is_deleted"] else ""),
        "",
        "Engagement (points = capped count x weight; capped count = sum over days of min(count, daily cap)):",
    ]
    lines += _table(
        [["activity type", "days active", "capped count", "points"]]
        + [
            [str(c["activity_type_id"]), str(c["days_active"]), str(c["capped_count"]), f"{c['points']:g}"]
            for c in e["contributions"]
        ]
    )
    if e["other_contributions"]:
        lines.append(f"  ... {e['other_contributions']} more activity types, {e['other_points']:g} points")
    raw = e["raw_score"]
    if raw is None:
        lines.append("  not scored (not a current person)")
    elif e["max_raw_score"]:
        lines.append(
            f"  raw score {raw:g}; person_engagement_score = 100 x sqrt({raw:g}) / "
            f"sqrt(top raw {e['max_raw_score']:g}) = {_n(e['person_engagement_score'])}"
        )
    else:
        lines.append("  raw score 0; person_engagement_score 0 (nobody has activity in the window)")
    lines += ["", "Buying groups (group, role, source, group stage) and why:"]
    if not explanation["memberships"]:
        lines.append("  none")
    for m in explanation["memberships"]:
        state = "removed" if m["is_removed"] else (m["stage"] or "-")
        lines += _table([[m["buying_group_id"], m["role"], m["assignment_source"], state]])
        lines.append(f"      {m['reason']}")
    lines += ["", "Output files:"]
    lines += _files(explanation["files"])
    return "\n".join(lines) + "\n"
