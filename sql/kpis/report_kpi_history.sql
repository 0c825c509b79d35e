-- Report: every KPI value of the history, for the trend charts.
SELECT as_of, solution_interest_id, kpi, value FROM marts.kpis ORDER BY as_of, solution_interest_id, kpi;
