-- Report: cost per lead of the history, per platform and currency.
SELECT as_of, platform, currency, cost_per_lead FROM marts.kpi_cost_per_lead ORDER BY as_of, platform, currency;
