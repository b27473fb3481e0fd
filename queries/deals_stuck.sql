-- Open deals older than 90 days at the latest deal date in the data, oldest first
WITH latest AS (
    SELECT MAX(COALESCE(closed_at, created_at)) AS data_end FROM deals
)
SELECT
    d.deal_id,
    d.lead_id,
    d.rep_id,
    d.amount,
    d.created_at,
    FLOOR((EXTRACT(EPOCH FROM latest.data_end) - EXTRACT(EPOCH FROM d.created_at)) / 86400) AS days_open
FROM deals d
CROSS JOIN latest
WHERE d.status = 'open'
  AND (EXTRACT(EPOCH FROM latest.data_end) - EXTRACT(EPOCH FROM d.created_at)) > 90 * 86400
ORDER BY d.created_at, d.deal_id
