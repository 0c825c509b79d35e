-- Append the validated batch into {table}, de-duplicated on {key}: the first occurrence (drop,
-- file, line order) is kept, and a key already in the table is never inserted again.
CREATE OR REPLACE TEMP TABLE incoming AS
SELECT * FROM validated
QUALIFY row_number() OVER (PARTITION BY {key} ORDER BY "source_drop", source_file, source_line) = 1;

CREATE OR REPLACE TEMP TABLE applied AS
SELECT incoming.* FROM incoming ANTI JOIN {table} AS current ON current.{key} = incoming.{key};

INSERT INTO {table} BY NAME SELECT * FROM applied;
