-- Won revenue by first-touch source and quarter the lead was created in
WITH first_touch AS (
    SELECT lead_id, MIN("at") AS first_at
    FROM touches
    GROUP BY lead_id
),
first_source AS (
    SELECT t.lead_id, MIN(t.source) AS source
    FROM touches t
    JOIN first_touch f ON t.lead_id = f.lead_id AND t."at" = f.first_at
    GROUP BY t.lead_id
)
SELECT
    COALESCE(s.source, '(no touch)') AS first_touch_source,
    CONCAT(CAST(EXTRACT(YEAR FROM l.created_at) AS VARCHAR), '-Q',
           CAST(EXTRACT(QUARTER FROM l.created_at) AS VARCHAR)) AS quarter,
    COUNT(*) AS leads,
    SUM(CASE WHEN l.reached_won THEN 1 ELSE 0 END) AS won,
    ROUND(SUM(l.revenue), 2) AS revenue
FROM lead_funnel l
LEFT JOIN first_source s ON l.lead_id = s.lead_id
GROUP BY COALESCE(s.source, '(no touch)'),
         CONCAT(CAST(EXTRACT(YEAR FROM l.created_at) AS VARCHAR), '-Q',
                CAST(EXTRACT(QUARTER FROM l.created_at) AS VARCHAR))
ORDER BY quarter, first_touch_source
