-- Helpers for the activation exports, created as TEMP macros (per connection, nothing
-- persisted in the warehouse).

-- Email domain of a company from its website: lower-cased host without scheme, user info,
-- path, query, fragment, port, "www." and trailing dot; NULL unless it looks like a domain.
CREATE OR REPLACE TEMP MACRO activation_website_host_candidate(url) AS rtrim(
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

CREATE OR REPLACE TEMP MACRO activation_website_host(url) AS CASE
    WHEN regexp_full_match(
        activation_website_host_candidate(url),
        '[a-z0-9]([a-z0-9\-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9\-]*[a-z0-9])?)+')
    THEN activation_website_host_candidate(url)
END;

-- The normalised form of an email, as a person reads it: every whitespace and zero-width or
-- other invisible formatting character removed (anywhere), lower-cased, a leading "mailto:"
-- and trailing dots, commas and semicolons stripped; NULL when empty. Duplicates across leads
-- are compared in this form, so `Kai@X.example<TAB>`, `mailto:kai@x.example` and
-- `kai@x.example.` are all kai@x.example. A valid address is only trimmed and lower-cased.
CREATE OR REPLACE TEMP MACRO activation_normalised_email(email) AS nullif(
    regexp_replace(
        regexp_replace(
            lower(regexp_replace(
                email,
                '[\s\x{00A0}\x{1680}\x{180E}\x{2000}-\x{200F}\x{2028}-\x{202F}\x{205F}-\x{2064}\x{3000}\x{FEFF}]',
                '', 'g')),
            '^mailto:', ''),
        '[.,;]+$', ''),
    '');

-- A person's consent for paid media: suppressed when any flag is true OR unreadable (NULL).
CREATE OR REPLACE TEMP MACRO activation_is_suppressed(unsubscribed, suspended, email_invalid, deleted) AS
    coalesce(unsubscribed, true) OR coalesce(suspended, true)
    OR coalesce(email_invalid, true) OR coalesce(deleted, true);
