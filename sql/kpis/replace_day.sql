-- Replace the KPI history of $as_of with this run's rows (kpi_rows, kpi_cost_rows): re-running
-- a day replaces that day, other days are kept.
DELETE FROM marts.kpis WHERE as_of = $as_of::DATE;

INSERT INTO marts.kpis BY NAME SELECT * FROM kpi_rows;

DELETE FROM marts.kpi_cost_per_lead WHERE as_of = $as_of::DATE;

INSERT INTO marts.kpi_cost_per_lead BY NAME SELECT * FROM kpi_cost_rows;
