-- Every month from a tenant's first started_at month to the month of the latest started_at or
-- canceled_at in the data. Active at T: started_at < T, not canceled before T, not trialing.
WITH bounds AS (
  SELECT CAST(date_trunc('MONTH', GREATEST(MAX(started_at), MAX(canceled_at))) AS DATE) AS last_month  -- GREATEST skips NULL
  FROM {silver}.subscriptions
),
months AS (
  SELECT s.tenant_id, explode(sequence(CAST(date_trunc('MONTH', MIN(s.started_at)) AS DATE), MAX(b.last_month), INTERVAL 1 MONTH)) AS month
  FROM {silver}.subscriptions s CROSS JOIN bounds b
  GROUP BY s.tenant_id
),
edges AS (
  SELECT tenant_id, month, CAST(month AS TIMESTAMP) AS month_start, CAST(add_months(month, 1) AS TIMESTAMP) AS month_end
  FROM months
),
facts AS (
  SELECT e.tenant_id, e.month, e.month_start, e.month_end, s.customer_id, s.status, s.started_at, s.canceled_at,
         CASE WHEN s.billing_period = 'annual' THEN s.price / 12 ELSE s.price END AS monthly_price,
         (s.started_at < e.month_end AND (s.canceled_at IS NULL OR s.canceled_at >= e.month_end) AND s.status <> 'trialing') AS active_at_end,
         (s.started_at < e.month_start AND (s.canceled_at IS NULL OR s.canceled_at >= e.month_start) AND s.status <> 'trialing') AS active_at_start
  FROM edges e JOIN {silver}.subscriptions s ON s.tenant_id = e.tenant_id
)
SELECT tenant_id,
       month,
       COUNT_IF(active_at_end)                                                                   AS active_subscriptions,
       COUNT_IF(started_at >= month_start AND started_at < month_end AND status <> 'trialing')   AS new_subscriptions,
       COUNT_IF(canceled_at >= month_start AND canceled_at < month_end)                          AS churned_subscriptions,
       CAST(COALESCE(SUM(CASE WHEN active_at_end THEN monthly_price END), 0) AS DECIMAL(18,2))   AS mrr,
       CAST(COUNT_IF(canceled_at >= month_start AND canceled_at < month_end) AS DOUBLE)
         / NULLIF(COUNT_IF(active_at_start), 0)                                                  AS churn_rate,
       CAST(SUM(CASE WHEN active_at_end THEN monthly_price END)
         / NULLIF(COUNT(DISTINCT CASE WHEN active_at_end THEN customer_id END), 0) AS DECIMAL(18,2)) AS arpu
FROM facts
GROUP BY tenant_id, month
