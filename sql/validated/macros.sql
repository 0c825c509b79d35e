-- Parsing helpers shared by every ingest statement; created per connection as TEMP macros.
-- A value that is present but cannot be read parses to NULL; the caller compares with the
-- raw text to tell "empty" from "invalid".
-- Empty: '' or the literal `null` (Marketo writes empty fields that way).
-- trim() copies every string, so it only runs on values that start or end with a space (or a
-- no-break space), which on the events table is costly per column.
CREATE OR REPLACE TEMP MACRO bg_text(raw) AS
    CASE
        WHEN raw IN ('', 'null', 'NULL', 'Null') THEN NULL
        WHEN prefix(raw, ' ') OR suffix(raw, ' ') OR prefix(raw, chr(160)) OR suffix(raw, chr(160))
            THEN CASE WHEN trim(raw) IN ('', 'null', 'NULL', 'Null') THEN NULL ELSE trim(raw) END
        ELSE raw
    END;
CREATE OR REPLACE TEMP MACRO bg_bool(raw) AS
    CASE lower(trim(raw))
        WHEN 'true' THEN true WHEN '1' THEN true WHEN 'yes' THEN true
        WHEN 'false' THEN false WHEN '0' THEN false WHEN 'no' THEN false
    END;
-- ISO-8601 with or without offset; stored as a UTC wall-clock TIMESTAMP (session zone is UTC).
-- The cast parses surrounding spaces itself; epoch_us/make_timestamp turns the instant into UTC
-- wall-clock time without the calendar arithmetic of a TIMESTAMPTZ -> TIMESTAMP cast.
CREATE OR REPLACE TEMP MACRO bg_timestamp(raw) AS make_timestamp(epoch_us(try_cast(raw AS TIMESTAMPTZ)));
CREATE OR REPLACE TEMP MACRO bg_date(raw) AS coalesce(try_cast(raw AS DATE), try_cast(bg_timestamp(raw) AS DATE));
-- A whole number as DuckDB reads numbers ('250', ' 250.0', '2.5e2', '1_000'). The cast alone rounds
-- a fraction ('2.5' -> 3) and reads hex ('0x10' -> 16); the DOUBLE reading disagrees with it
-- then, and the value is invalid (cheaper than a regex).
CREATE OR REPLACE TEMP MACRO bg_bigint(raw) AS
    CASE WHEN try_cast(raw AS DOUBLE) = try_cast(raw AS BIGINT) THEN try_cast(raw AS BIGINT) END;
CREATE OR REPLACE TEMP MACRO bg_double(raw) AS try_cast(raw AS DOUBLE);
-- The one website -> domain rule (accounts.domain, LinkedIn's company email domain, matching
-- ad reports to accounts): the lower-cased host without scheme, user info, path, query,
-- fragment, port, "www." and trailing dot; NULL unless it looks like a domain.
CREATE OR REPLACE TEMP MACRO bg_domain_candidate(url) AS rtrim(
    regexp_replace(
        regexp_replace(
            regexp_replace(
                regexp_extract(
                    regexp_replace(lower(trim(url)), '^([a-z][a-z0-9+.\-]*:)?//', ''),
                    '^([^/?#]*)', 1),
                '^[^@]*@', ''),
            ':[0-9]*$', ''),
        '^www\.', ''),
    '.');
CREATE OR REPLACE TEMP MACRO bg_domain(website) AS CASE
    WHEN regexp_full_match(
        bg_domain_candidate(website), '[a-z0-9]([a-z0-9\-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9\-]*[a-z0-9])?)+')
    THEN bg_domain_candidate(website)
END;
-- Orphan flags: a person's company is a current account; an event's lead is a known person.
-- Used on insert (load.py) and by refresh_orphans.sql, so both agree.
CREATE OR REPLACE TEMP MACRO bg_known_account(key) AS
    coalesce(key IN (SELECT account_key FROM b2b.accounts WHERE NOT is_deleted), false);
CREATE OR REPLACE TEMP MACRO bg_known_person(key) AS
    coalesce(key IN (SELECT person_key FROM b2b.persons), false);
-- Matching keys of a company reached by ads (validated/ad_company_matches.sql).
-- A LinkedIn company page URL without scheme, "www.", query, fragment and trailing slashes,
-- lower-cased: https://www.linkedin.com/company/acme/ and linkedin.com/company/Acme agree.
CREATE OR REPLACE TEMP MACRO bg_linkedin_page_key(url) AS
    nullif(rtrim(regexp_extract(
        regexp_replace(regexp_replace(lower(trim(url)), '^[a-z][a-z0-9+.-]*://', ''), '^www\.', ''),
        '^([^?#]*)', 1), '/'), '');
-- A company name without case, punctuation and trailing legal-form words ("Acme Co., Ltd.",
-- "ACME Inc" and "Acme" agree). Letters and digits of any script are kept.
CREATE OR REPLACE TEMP MACRO bg_company_name_key(name) AS
    nullif(trim(regexp_replace(
        ' ' || trim(regexp_replace(lower(name), '[^\pL\pN]+', ' ', 'g')),
        '( (inc|incorporated|corp|corporation|co|company|llc|llp|lp|ltd|limited|gmbh|mbh|ag|kg|kgaa|se|sa|sas|sarl|srl|spa|bv|nv|plc|pty|oy|oyj|ab|as|asa|aps|kk|pte|pvt|sl|sro|zrt|ug)+)+$',
        '')), '');
