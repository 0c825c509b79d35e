-- Helpers for the activation exports, created as TEMP macros (per connection, nothing
-- persisted in the warehouse).

-- The normalised form of an email, as a person reads it: every whitespace and zero-width or
-- other invisible formatting character removed (anywhere), lower-cased, a leading "mailto:"
-- and trailing dots, commas and semicolons stripped; NULL when empty. Duplicates across leads
-- are compared in this form, so `Kai@X.example<TAB>`, `mailto:kai@x.example` and
-- `kai@x.example.` are all kai@x.example. A valid address is only trimmed and lower-cased.
CREATE OR REPLACE TEMP MACRO activation_normalised_email_full(email) AS nullif(
    regexp_replace(
        regexp_replace(
            lower(regexp_replace(
                email,
                '[\s\x{00A0}\x{1680}\x{180E}\x{2000}-\x{200F}\x{2028}-\x{202F}\x{205F}-\x{2064}\x{3000}\x{FEFF}]',
                '', 'g')),
            '^mailto:', ''),
        '[.,;]+$', ''),
    '');

-- The same, with a shortcut for the common case (half the cost on a million leads): an address
-- of ASCII letters, digits and `._%+@-` that ends in a letter or digit has nothing to remove
-- (no space, no `:`, no trailing punctuation) and is only lower-cased.
-- tests/test_consent.py checks the two agree on random text.
CREATE OR REPLACE TEMP MACRO activation_normalised_email(email) AS CASE
    WHEN regexp_full_match(email, '[A-Za-z0-9._%+@-]*[A-Za-z0-9]') THEN lower(email)
    ELSE activation_normalised_email_full(email)
END;

-- A person's consent for paid media: suppressed when any flag is true OR unreadable (NULL).
CREATE OR REPLACE TEMP MACRO activation_is_suppressed(unsubscribed, suspended, email_invalid, deleted) AS
    coalesce(unsubscribed, true) OR coalesce(suspended, true)
    OR coalesce(email_invalid, true) OR coalesce(deleted, true);

-- One row of LinkedIn's company template for an account (NULL row values when the account
-- is unknown: the group's name stands in), none for an account deleted in Marketo. Shared
-- by the solution-interest company lists and the journeys' company audiences.
CREATE OR REPLACE TEMP MACRO activation_company_row(key, fallback_name) AS TABLE
SELECT
    coalesce(a.account_name, fallback_name) AS companyname,
    a.website AS companywebsite,
    a.domain AS companyemaildomain,
    a.linkedin_company_page_url AS linkedincompanypageurl,
    a.stock_symbol AS stocksymbol,
    a.industry AS industry,
    a.billing_city AS city,
    a.billing_state AS state,
    nullif(c.alpha2, '') AS companycountry,
    a.billing_postal_code AS zipcode
FROM (SELECT key AS account_key) AS t
LEFT JOIN b2b.accounts AS a ON a.account_key = t.account_key
LEFT JOIN activation_country_alpha2 AS c ON c.raw = a.billing_country
WHERE a.is_deleted IS DISTINCT FROM true;

-- Whether, and if not why not, a person may be emailed: the consent rules of
-- activation_is_suppressed, plus a duplicate lead's opt-out and a missing email, in words a
-- seller reads. 'may be emailed' is the one value that allows it.
CREATE OR REPLACE TEMP MACRO activation_email_status(
        unsubscribed, suspended, email_invalid, deleted, other_lead_opted_out, email) AS CASE
    WHEN unsubscribed IS NULL OR suspended IS NULL OR email_invalid IS NULL OR deleted IS NULL
        THEN 'may not be emailed: consent unknown'
    WHEN unsubscribed THEN 'may not be emailed: unsubscribed'
    WHEN suspended THEN 'may not be emailed: marketing suspended'
    WHEN email_invalid THEN 'may not be emailed: email invalid'
    WHEN deleted THEN 'may not be emailed: deleted in Marketo'
    WHEN other_lead_opted_out THEN 'may not be emailed: another lead with this email opted out'
    WHEN activation_normalised_email(email) IS NULL THEN 'no email on file'
    ELSE 'may be emailed'
END;
