-- MQLs never contacted, by rep at MQL and month of MQL
SELECT
    rep,
    mql_month,
    COUNT(*) AS mqls,
    SUM(CASE WHEN contacted THEN 0 ELSE 1 END) AS never_contacted,
    CAST(SUM(CASE WHEN contacted THEN 0 ELSE 1 END) AS DOUBLE) / COUNT(*) AS never_contacted_share
FROM lead_funnel
WHERE mql_at IS NOT NULL
GROUP BY rep, mql_month
ORDER BY mql_month, rep
