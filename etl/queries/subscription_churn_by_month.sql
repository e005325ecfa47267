-- Churn by tenant and month from silver subscriptions: active at month end, new, churned, churn rate, MRR.
-- Months run from a tenant's first start to the latest start or cancellation in the data (gold_metrics.md).
WITH bounds AS (
  SELECT CAST(date_trunc('month', greatest(MAX(started_at), COALESCE(MAX(canceled_at), MAX(started_at)))) AS DATE)
           AS last_month
  FROM {silver}.subscriptions
),
firsts AS (
  SELECT tenant_id, CAST(date_trunc('month', MIN(started_at)) AS DATE) AS first_month
  FROM {silver}.subscriptions
  GROUP BY tenant_id
),
months AS (
  SELECT f.tenant_id,
         m.month,
         CAST(m.month AS TIMESTAMP)                       AS month_start,
         CAST(m.month + INTERVAL '1' MONTH AS TIMESTAMP)  AS month_end
  FROM firsts f
  CROSS JOIN bounds b
  CROSS JOIN UNNEST(sequence(f.first_month, b.last_month, INTERVAL '1' MONTH)) AS m (month)
),
facts AS (
  SELECT m.tenant_id, m.month, m.month_start, m.month_end, s.customer_id, s.status, s.started_at, s.canceled_at,
         -- a price divided at full precision: Trino would round price / 12 to the price's two decimals
         CASE WHEN s.billing_period = 'annual' THEN CAST(s.price AS DECIMAL(20, 8)) / 12
              ELSE CAST(s.price AS DECIMAL(20, 8)) END AS monthly_price,
         (s.started_at < m.month_end AND (s.canceled_at IS NULL OR s.canceled_at >= m.month_end)
           AND s.status <> 'trialing') AS active_at_end,
         (s.started_at < m.month_start AND (s.canceled_at IS NULL OR s.canceled_at >= m.month_start)
           AND s.status <> 'trialing') AS active_at_start
  FROM months m
  JOIN {silver}.subscriptions s ON s.tenant_id = m.tenant_id
)
SELECT tenant_id,
       month,
       COUNT_IF(active_at_end)                                                                    AS active_subscriptions,
       COUNT_IF(started_at >= month_start AND started_at < month_end AND status <> 'trialing')    AS new_subscriptions,
       COUNT_IF(canceled_at >= month_start AND canceled_at < month_end)                           AS churned_subscriptions,
       CAST(COUNT_IF(canceled_at >= month_start AND canceled_at < month_end) AS DOUBLE)
         / NULLIF(COUNT_IF(active_at_start), 0)                                                   AS churn_rate,
       CAST(COALESCE(SUM(CASE WHEN active_at_end THEN monthly_price END), 0) AS DECIMAL(18, 2))  AS mrr
FROM facts
GROUP BY tenant_id, month
ORDER BY tenant_id, month
