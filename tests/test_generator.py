"""The synthetic landing-zone generator: layout, determinism, dirt and realism (SPEC §2)."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from buying_groups.model.entities import entity_by_table
from buying_groups.sample_data import DIRT_KINDS, PROFILES, GenerationSummary, generate_landing, profile_named
from buying_groups.sample_data.dirt import NULL_LITERAL_NOTE
from buying_groups.sample_data.profiles import PLAIN, REALISTIC

LEADS = 2_000
SEED = 11
END = dt.date(2026, 11, 20)
DROPS = ("2026-11-18", "2026-11-19", "2026-11-20")

# SPEC §2, verbatim: the header every extract must carry.
SPEC_HEADERS = {
    "leads": "id,email,firstName,lastName,title,company,contactCompany,department,phone,city,"
    "state,postalCode,country,leadSource,leadStatus,leadScore,unsubscribed,marketingSuspended,"
    "emailInvalid,marketoIsDeleted,createdAt,updatedAt",
    "companies": "id,externalCompanyId,company,website,industry,numberOfEmployees,annualRevenue,"
    "sicCode,billingCity,billingState,billingPostalCode,billingCountry,mainPhone,"
    "linkedinCompanyPageUrl,stockSymbol,marketoIsDeleted,createdAt,updatedAt",
    "opportunities": "id,externalOpportunityId,name,mktoCdpAccountOrgId,type,stage,amount,"
    "closeDate,isClosed,isWon,probability,createdAt,updatedAt",
    "opportunity_roles": "id,mktoCdpOpptyId,leadId,role,isPrimary,updatedAt",
    "activities": "marketoGUID,leadId,activityDate,activityTypeId,campaignId,"
    "primaryAttributeValueId,primaryAttributeValue,attributes",
}
ISO_TIMESTAMP = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"
ZONELESS_TIMESTAMP = r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$"
TIMESTAMP_COLUMNS = {
    "leads": ("createdAt", "updatedAt"),
    "companies": ("createdAt", "updatedAt"),
    "opportunities": ("createdAt", "updatedAt"),
    "opportunity_roles": ("updatedAt",),
    "activities": ("activityDate",),
}
BOOLEANS = {"true", "false", "1", "0"}
DECISION_MAKER = r"(?i)\b(CEO|CTO|CIO|CFO|COO|VP|Chief)\b"
BOM = b"\xef\xbb\xbf"


def _generate(out: Path, **overrides: object) -> GenerationSummary:
    args: dict[str, object] = {"leads": LEADS, "seed": SEED, "drops": 3, "end_date": END}
    args.update(overrides)
    return generate_landing(out=out, **args)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, GenerationSummary]:
    out = tmp_path_factory.mktemp("landing")
    return out, _generate(out)


@pytest.fixture(scope="module")
def plain_landing(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, GenerationSummary]:
    out = tmp_path_factory.mktemp("plain")
    return out, _generate(out, profile=PLAIN)


@pytest.fixture(params=sorted(PROFILES))
def any_landing(request: pytest.FixtureRequest) -> tuple[Path, GenerationSummary]:
    """The landing zone of each profile: the dirt must be the same in both."""
    return request.getfixturevalue("plain_landing" if request.param == "plain" else "landing")


def read(out: Path, drop: str, entity: str) -> pl.DataFrame:
    """All parts of an extract as text; empty cells are null, ``null`` stays a string."""
    files = sorted((out / drop).glob(f"{entity}*.csv"))
    files = [f for f in files if re.fullmatch(rf"{entity}(-\d+)?\.csv", f.name)]
    return pl.concat([pl.read_csv(f, infer_schema=False) for f in files])


def blank(column: str) -> pl.Expr:
    return pl.col(column).is_null() | pl.col(column).is_in(["null", ""])


# -- layout -------------------------------------------------------------------------------


def test_drop_folders_are_dates_ending_at_end_date(landing: tuple[Path, GenerationSummary]):
    out, summary = landing
    assert sorted(p.name for p in out.iterdir()) == list(DROPS)
    assert [d.name for d in summary.drops] == list(DROPS)
    assert [d.kind for d in summary.drops] == ["full", "incremental", "incremental"]
    # five Marketo entities per drop, plus the two ad reports of the full load
    assert len(summary.files) == 17 and all(path.is_file() for path in summary.files)


@pytest.mark.parametrize("entity", sorted(SPEC_HEADERS))
def test_headers_are_exactly_the_marketo_field_names(landing: tuple[Path, GenerationSummary], entity: str):
    out, _ = landing
    for drop in DROPS:
        first_line = (out / drop / f"{entity}.csv").read_bytes().split(b"\n", 1)[0]
        assert first_line.removeprefix(BOM).decode() == SPEC_HEADERS[entity]


@pytest.mark.parametrize("entity", sorted(SPEC_HEADERS))
def test_validated_model_understands_every_generated_column(entity: str):
    spec = entity_by_table(entity)
    header = SPEC_HEADERS[entity].split(",")
    assert set(header) <= set(spec.source_columns)
    assert set(spec.required_source_columns) <= set(header)


def test_row_counts_follow_the_ratios(landing: tuple[Path, GenerationSummary]):
    out, summary = landing
    full = summary.drops[0].rows
    assert full["companies"] == LEADS // 10
    assert LEADS <= full["leads"] <= LEADS * 1.02
    assert 7 * LEADS <= full["activities"] <= 13 * LEADS
    assert 0.15 * full["companies"] <= full["opportunities"] <= 0.35 * full["companies"]
    assert full["opportunities"] <= full["opportunity_roles"] <= 4 * full["opportunities"]
    for drop in summary.drops[1:]:
        assert 0.005 * LEADS <= drop.rows["leads"] <= 0.03 * LEADS
        assert drop.rows["activities"] >= drop.rows["leads"]
    assert read(out, DROPS[0], "activities").height == full["activities"]


def test_values_are_marketo_formatted(landing: tuple[Path, GenerationSummary]):
    out, _ = landing
    leads = read(out, DROPS[0], "leads").filter(pl.col("id").is_not_null())
    assert leads["createdAt"].str.contains(ISO_TIMESTAMP).all()
    assert leads["updatedAt"].str.contains(ISO_TIMESTAMP).all()
    assert (leads["updatedAt"] >= leads["createdAt"]).all()
    for flag in ("unsubscribed", "marketingSuspended", "emailInvalid", "marketoIsDeleted"):
        assert set(leads[flag].str.to_lowercase().unique()) <= BOOLEANS
    spellings = set(leads["unsubscribed"].unique())
    assert {"true", "false", "0", "FALSE"} & spellings and len(spellings) >= 4
    assert leads["country"].is_in(["US", "United States", "USA", "Germany", "DE"]).any()
    assert (leads["country"] == "null").any() and leads["country"].is_null().any()

    events = read(out, DROPS[0], "activities")
    types = set(events["activityTypeId"].cast(pl.Int64))
    assert types <= {1, 2, 3, 6, 7, 9, 10, 11, 12, 37, 46, 104, 118}
    assert {37, 118} <= types  # LinkedIn lead-gen form fills and chat interactions: journey signals
    good_dates = events.filter(pl.col("activityDate") != "yesterday")["activityDate"]
    assert good_dates.str.contains(ISO_TIMESTAMP).all()
    for text in events.filter(~blank("attributes"))["attributes"].head(500):
        assert isinstance(json.loads(text), dict)
    assert events["primaryAttributeValue"].str.contains("Seeds").any()
    assert events["primaryAttributeValue"].str.contains("Cloud Analytics").any()


# -- determinism --------------------------------------------------------------------------


def _bytes(summary: GenerationSummary) -> dict[str, bytes]:
    return {str(p.relative_to(summary.out)): p.read_bytes() for p in summary.files}


def test_same_seed_gives_identical_bytes_whatever_the_chunk_size(tmp_path: Path):
    first = _generate(tmp_path / "a", leads=500)
    second = _generate(tmp_path / "b", leads=500, chunk_rows=97)
    assert _bytes(first) == _bytes(second)


def test_another_seed_gives_other_data(tmp_path: Path):
    first = _bytes(_generate(tmp_path / "a", leads=500))
    other = _bytes(_generate(tmp_path / "b", leads=500, seed=SEED + 1))
    assert first.keys() == other.keys()
    assert all(first[name] != other[name] for name in first)


def test_rerun_into_the_same_folder_replaces_the_files(tmp_path: Path):
    split = _generate(tmp_path, leads=500, drops=1, split_rows=100)
    assert any("-" in p.name for p in split.files)
    plain = _generate(tmp_path, leads=500, drops=1)
    assert sorted(p.name for p in (tmp_path / DROPS[2]).iterdir()) == sorted(p.name for p in plain.files)


# -- dirt ---------------------------------------------------------------------------------


def test_every_dirt_kind_is_planted_and_reported(any_landing: tuple[Path, GenerationSummary]):
    _, summary = any_landing
    assert set(summary.dirt) == set(DIRT_KINDS)
    assert all(count > 0 for count in summary.dirt.values()), summary.dirt


def test_dirt_stays_small(any_landing: tuple[Path, GenerationSummary]):
    _, summary = any_landing
    total = summary.total_rows
    assert sum(summary.dirt.values()) < 0.01 * total


def test_bom_only_at_the_start_of_the_first_leads_file(landing: tuple[Path, GenerationSummary]):
    out, _ = landing
    assert (out / DROPS[0] / "leads.csv").read_bytes().startswith(BOM)
    others = [p for p in out.rglob("*.csv") if p != out / DROPS[0] / "leads.csv"]
    assert not any(p.read_bytes().startswith(BOM) for p in others)


def test_lead_dirt_is_in_the_file(any_landing: tuple[Path, GenerationSummary]):
    out, _ = any_landing
    leads = read(out, DROPS[0], "leads")
    companies = read(out, DROPS[0], "companies")
    emails = leads["email"].drop_nulls()
    assert emails.str.ends_with("@").any()
    assert (~emails.str.contains("@")).any()
    assert emails.str.contains(r"^[a-z]@[a-z0-9]$").any()
    assert leads["id"].is_null().sum() == 1
    orphans = leads.filter(~pl.col("contactCompany").is_in(companies["id"].implode()))
    assert orphans.height > 0
    repeated = leads.filter(pl.col("id").is_not_null() & pl.col("id").is_duplicated())
    assert repeated.height > 0
    # the later copy of a repeated id is the stale one: an older updatedAt
    for _, rows in repeated.group_by("id"):
        assert rows["updatedAt"][0] > rows["updatedAt"][-1]
    lowered = emails.str.to_lowercase()
    assert lowered.is_duplicated().any()


def test_company_dirt_is_in_the_file(any_landing: tuple[Path, GenerationSummary]):
    out, _ = any_landing
    companies = read(out, DROPS[0], "companies")
    names = set(companies["company"])
    assert {'=HYPERLINK("http://x")', "+1 Corp", "@Home Inc", "-Minus Ltd"} <= names
    assert companies["numberOfEmployees"].str.starts_with("-").any()
    assert (companies["annualRevenue"] == "abc").any()
    raw = (out / DROPS[0] / "companies.csv").read_text()
    assert '"=HYPERLINK(""http://x"")"' in raw  # RFC 4180 quoting


def test_bom_is_dirt_of_both_profiles(plain_landing: tuple[Path, GenerationSummary]):
    out, _ = plain_landing
    assert (out / DROPS[0] / "leads.csv").read_bytes().startswith(BOM)


def test_activity_dirt_is_in_the_file(any_landing: tuple[Path, GenerationSummary]):
    out, _ = any_landing
    events = read(out, DROPS[0], "activities")
    leads = read(out, DROPS[0], "leads")
    assert (events["activityDate"] == "yesterday").any()
    assert events["marketoGUID"].is_duplicated().any()
    assert (~events["leadId"].is_in(leads["id"].drop_nulls().implode())).any()


def test_clean_generation_has_no_dirt(tmp_path: Path):
    summary = _generate(tmp_path, leads=500, dirt=False)
    planted = {k: v for k, v in summary.dirt.items() if not k.startswith("deleted_")}
    assert not any(planted.values()), planted
    assert not (tmp_path / DROPS[0] / "leads.csv").read_bytes().startswith(BOM)
    leads = read(tmp_path, DROPS[0], "leads")
    assert leads["id"].null_count() == 0 and not leads["id"].is_duplicated().any()
    assert leads["email"].drop_nulls().str.contains(r"^[^@\s]+@[^@\s]+\.[a-z]+$").all()


# -- incremental drops --------------------------------------------------------------------


def test_incremental_drops_hold_updates_new_leads_and_deletes(
    landing: tuple[Path, GenerationSummary],
):
    out, _ = landing
    full = read(out, DROPS[0], "leads").filter(pl.col("id").is_not_null())
    before = full.group_by("id").agg(pl.col("updatedAt").max().alias("before"))
    for drop in DROPS[1:]:
        leads = read(out, drop, "leads").join(before, on="id", how="left")
        day_start = f"{dt.date.fromisoformat(drop) - dt.timedelta(days=1)}T00:00:00Z"
        fresh = leads.filter(pl.col("updatedAt") >= day_start)
        assert (fresh["updatedAt"] < f"{drop}T00:00:00Z").all()
        assert fresh["before"].is_not_null().sum() > 0  # updates of known leads
        assert fresh["before"].is_null().sum() > 0  # new leads
        deleted = leads.filter(pl.col("marketoIsDeleted").str.to_lowercase().is_in(["true", "1"]))
        assert deleted.height > 0 and deleted["before"].is_not_null().all()
        stale = leads.filter(pl.col("updatedAt") < pl.col("before"))
        assert stale.height > 0  # must be ignored by the upsert
        assert read(out, drop, "companies").height > 0
        events = read(out, drop, "activities")
        assert (events["activityDate"].filter(events["activityDate"] != "yesterday") >= day_start).all()
    later_deletes = read(out, DROPS[1], "companies")["marketoIsDeleted"].str.to_lowercase()
    assert later_deletes.is_in(["true", "1"]).any()


def test_split_rows_writes_numbered_parts_with_headers(tmp_path: Path):
    whole = _generate(tmp_path / "whole", leads=500, drops=1)
    split = _generate(tmp_path / "split", leads=500, drops=1, split_rows=1_000)
    parts = sorted((tmp_path / "split" / DROPS[2]).glob("activities-*.csv"))
    assert [p.name for p in parts][:2] == ["activities-001.csv", "activities-002.csv"]
    for part in parts:
        text = part.read_text()
        assert text.startswith(SPEC_HEADERS["activities"])
    assert all(len(pl.read_csv(p, infer_schema=False)) <= 1_000 for p in parts)
    assert split.rows == whole.rows


# -- realism for the example configuration -------------------------------------------------


def test_roles_point_at_leads_of_the_opportunitys_company(
    landing: tuple[Path, GenerationSummary],
):
    out, _ = landing
    roles = read(out, DROPS[0], "opportunity_roles")
    opportunities = read(out, DROPS[0], "opportunities")
    leads = read(out, DROPS[0], "leads").filter(pl.col("id").is_not_null()).unique("id")
    joined = roles.join(
        opportunities.select("id", "mktoCdpAccountOrgId"), left_on="mktoCdpOpptyId", right_on="id"
    ).join(leads.select("id", "contactCompany"), left_on="leadId", right_on="id")
    assert joined.height == roles.height
    in_company = joined["contactCompany"] == joined["mktoCdpAccountOrgId"]
    assert in_company.mean() > 0.98  # the rest are orphan-company leads
    assert set(roles["role"]) >= {"Economic Buyer", "Influencer", "Champion", "Technical Buyer"}


def test_example_audiences_and_committees_find_accounts(
    landing: tuple[Path, GenerationSummary],
):
    out, _ = landing
    companies = read(out, DROPS[0], "companies").with_columns(
        employees=pl.col("numberOfEmployees").cast(pl.Int64, strict=False)
    )
    leads = read(out, DROPS[0], "leads").filter(~blank("title"))
    titled = leads.group_by("contactCompany").agg(
        titled=pl.len(),
        decision_makers=pl.col("title").str.contains(DECISION_MAKER).sum(),
        influencers=pl.col("title").str.contains(r"^(Director|Sr Director|Head of)").sum(),
        champions=pl.col("title").str.contains("Manager").sum(),
        evaluators=pl.col("title").str.contains("Engineer|Architect|Developer").sum(),
    )
    accounts = companies.join(titled, left_on="id", right_on="contactCompany")
    agtech = accounts.filter(
        pl.col("industry").is_in(["Agriculture", "Biotechnology"])
        & (pl.col("employees") >= 500)
        & (pl.col("titled") >= 2)
    )
    assert agtech.height >= 10
    full = agtech.filter((pl.col("decision_makers") >= 1) & (pl.col("influencers") >= 2) & (pl.col("champions") >= 1))
    assert 0 < full.height < agtech.height  # complete and incomplete committees

    events = read(out, DROPS[0], "activities").filter(pl.col("activityDate") != "yesterday")
    recent = events.filter(
        pl.col("activityTypeId").is_in(["1", "2", "11"]) & (pl.col("activityDate") >= f"{END - dt.timedelta(days=90)}")
    ).join(read(out, DROPS[0], "leads").select("id", "contactCompany"), left_on="leadId", right_on="id")
    software = companies.filter(
        pl.col("industry").is_in(["Software", "Information Technology"])
        & pl.col("employees").is_between(50, 10_000)
        & pl.col("id").is_in(recent["contactCompany"].implode())
    )
    assert software.height >= 10
    assert leads["title"].str.contains(DECISION_MAKER).any()


def test_engagement_is_skewed(landing: tuple[Path, GenerationSummary]):
    out, _ = landing
    leads = read(out, DROPS[0], "leads").filter(pl.col("id").is_not_null()).unique("id")
    window_start = f"{END - dt.timedelta(days=30)}"
    recent = read(out, DROPS[0], "activities").filter(pl.col("activityDate") >= window_start)
    per_lead = leads.join(recent.group_by("leadId").len(), left_on="id", right_on="leadId", how="left").with_columns(
        pl.col("len").fill_null(0)
    )
    assert (per_lead["len"] == 0).mean() > 0.3  # many people silent in the window
    assert per_lead["len"].max() >= 40  # some very engaged


def test_bad_arguments_are_refused(tmp_path: Path):
    with pytest.raises(ValueError, match="leads"):
        generate_landing(tmp_path, leads=0, seed=1)
    with pytest.raises(ValueError, match="drops"):
        generate_landing(tmp_path, leads=10, seed=1, drops=0)
    with pytest.raises(ValueError, match="split_rows"):
        generate_landing(tmp_path, leads=10, seed=1, split_rows=0)


# -- the plain profile --------------------------------------------------------------------


def test_plain_profile_is_deterministic_per_seed(tmp_path: Path):
    first = _bytes(_generate(tmp_path / "a", leads=500, profile=PLAIN))
    again = _bytes(_generate(tmp_path / "b", leads=500, profile=PLAIN, chunk_rows=97))
    other_seed = _bytes(_generate(tmp_path / "c", leads=500, profile=PLAIN, seed=SEED + 1))
    realistic = _bytes(_generate(tmp_path / "d", leads=500))
    assert first == again
    assert all(first[name] != other_seed[name] for name in first)
    assert all(first[name] != realistic[name] for name in first if Path(name).stem in SPEC_HEADERS)


def test_plain_timestamps_are_zone_less_and_the_same_instants(
    landing: tuple[Path, GenerationSummary], plain_landing: tuple[Path, GenerationSummary]
):
    plain_out, _ = plain_landing
    for drop in DROPS:
        for entity, columns in TIMESTAMP_COLUMNS.items():
            frame = read(plain_out, drop, entity)
            for column in columns:
                values = frame[column].filter(frame[column] != "yesterday")  # the bad-date dirt
                assert values.len() and values.str.contains(ZONELESS_TIMESTAMP).all(), (drop, entity, column)
    # Only the writing differs: a lead's timestamps are the realistic profile's instants.
    realistic_out, _ = landing

    def first_versions(out: Path, fmt: str) -> pl.DataFrame:
        leads = read(out, DROPS[0], "leads").filter(pl.col("id").is_not_null()).unique("id", keep="first")
        return leads.select("id", pl.col("createdAt", "updatedAt").str.strptime(pl.Datetime, fmt))

    plain = first_versions(plain_out, "%Y-%m-%d %H:%M:%S")
    realistic = first_versions(realistic_out, "%Y-%m-%dT%H:%M:%SZ")
    joined = plain.join(realistic, on="id", suffix="_realistic")
    assert joined.height == plain.height == realistic.height
    assert (joined["createdAt"] == joined["createdAt_realistic"]).all()
    assert (joined["updatedAt"] == joined["updatedAt_realistic"]).all()


def test_plain_values_are_plain(plain_landing: tuple[Path, GenerationSummary]):
    out, summary = plain_landing
    assert summary.profile == "plain" and NULL_LITERAL_NOTE not in summary.notes
    leads = read(out, DROPS[0], "leads")
    for flag in ("unsubscribed", "marketingSuspended", "emailInvalid", "marketoIsDeleted"):
        assert set(leads[flag].unique()) <= {"true", "false"}
    assert set(leads["unsubscribed"].unique()) == {"true", "false"}
    for entity in SPEC_HEADERS:
        frame = read(out, DROPS[0], entity)
        assert not any((frame[column] == "null").any() for column in frame.columns), entity
    events = read(out, DROPS[0], "activities")
    attributes = events["attributes"].drop_nulls()
    assert attributes.len() > 0.9 * events.height
    assert attributes.str.len_chars().max() <= 40  # realistic ones run to 170 characters
    assert all(len(json.loads(text)) == 1 for text in attributes.head(500))


def test_plain_profile_draws_other_mixes(
    landing: tuple[Path, GenerationSummary], plain_landing: tuple[Path, GenerationSummary]
):
    def shares(out: Path, entity: str, column: str, values: list[str]) -> float:
        frame = read(out, DROPS[0], entity)
        return float(frame[column].is_in(values).mean())  # type: ignore[arg-type]

    (realistic_out, _), (plain_out, _) = landing, plain_landing
    general = ["Manufacturing", "Retail", "Healthcare", "Financial Services"]
    assert shares(plain_out, "companies", "industry", general) > shares(realistic_out, "companies", "industry", general)
    emails = [str(kind) for kind in (6, 7, 9, 10, 11)]
    assert shares(plain_out, "activities", "activityTypeId", emails) > shares(
        realistic_out, "activities", "activityTypeId", emails
    )
    plain_titles = set(read(plain_out, DROPS[0], "leads")["title"].drop_nulls())
    assert {"Team Lead", "Trainee"} <= plain_titles
    assert not {"Team Lead", "Trainee"} & set(read(realistic_out, DROPS[0], "leads")["title"].drop_nulls())


def test_profiles_are_named_and_checked():
    assert profile_named("plain") is PLAIN and profile_named("realistic") is REALISTIC
    with pytest.raises(ValueError, match="profile must be one of realistic, plain"):
        profile_named("fancy")


def test_cli_generates_the_plain_profile(tmp_path: Path):
    command = [sys.executable, "-m", "buying_groups.cli", "generate", "--out", str(tmp_path), "--leads", "200"]
    done = subprocess.run(
        [*command, "--seed", "3", "--end-date", "2026-11-20", "--profile", "plain"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "profile plain" in done.stdout
    leads = pl.read_csv(tmp_path / "2026-11-20" / "leads.csv", infer_schema=False)
    assert leads["updatedAt"].str.contains(ZONELESS_TIMESTAMP).all()
    refused = subprocess.run([*command, "--profile", "fancy"], capture_output=True, text=True, check=False)
    assert refused.returncode == 2 and "invalid choice: 'fancy'" in refused.stderr
