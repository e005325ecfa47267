-- Cohort = month of a customer's first completed order; one row per cohort and month since,
-- up to the last month with a completed order in the data.
WITH completed AS (
  SELECT customer_id, tenant_id, CAST(date_trunc('MONTH', order_date) AS DATE) AS month
  FROM {silver}.orders WHERE status = 'completed'
),
cohorts AS (
  SELECT customer_id, MIN_BY(tenant_id, month) AS tenant_id, MIN(month) AS cohort_month FROM completed GROUP BY customer_id
),
sizes AS (
  SELECT tenant_id, cohort_month, COUNT(*) AS cohort_size FROM cohorts GROUP BY 1, 2
),
grid AS (
  SELECT s.tenant_id, s.cohort_month, s.cohort_size,
         explode(sequence(0, CAST(months_between(l.last_month, s.cohort_month) AS INT))) AS months_since
  FROM sizes s CROSS JOIN (SELECT MAX(month) AS last_month FROM completed) l
),
activity AS (
  SELECT DISTINCT c.tenant_id, c.cohort_month, c.customer_id,
         CAST(months_between(o.month, c.cohort_month) AS INT) AS months_since
  FROM cohorts c JOIN completed o ON o.customer_id = c.customer_id
)
SELECT g.tenant_id,
       g.cohort_month,
       g.months_since,
       COUNT(a.customer_id)                               AS active_customers,
       g.cohort_size,
       CAST(COUNT(a.customer_id) AS DOUBLE) / g.cohort_size AS retention_rate
FROM grid g
LEFT JOIN activity a
  ON a.tenant_id = g.tenant_id AND a.cohort_month = g.cohort_month AND a.months_since = g.months_since
GROUP BY g.tenant_id, g.cohort_month, g.months_since, g.cohort_size
