-- Conversion of each created-month cohort: leads, then MQL, SQL and won counts and rates
SELECT
    created_month,
    COUNT(*) AS leads,
    SUM(CASE WHEN reached_mql THEN 1 ELSE 0 END) AS mql,
    SUM(CASE WHEN reached_sql THEN 1 ELSE 0 END) AS sql,
    SUM(CASE WHEN reached_won THEN 1 ELSE 0 END) AS won,
    CAST(SUM(CASE WHEN reached_mql THEN 1 ELSE 0 END) AS DOUBLE) / COUNT(*) AS lead_to_mql,
    CAST(SUM(CASE WHEN reached_won THEN 1 ELSE 0 END) AS DOUBLE) / COUNT(*) AS lead_to_won
FROM lead_funnel
GROUP BY created_month
ORDER BY created_month
