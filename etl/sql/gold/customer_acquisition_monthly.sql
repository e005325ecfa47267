-- New customers by sign-up month, first-time buyers by the month of their first completed order.
WITH signups AS (
  SELECT tenant_id, CAST(date_trunc('MONTH', created_at) AS DATE) AS month, COUNT(*) AS new_customers
  FROM {silver}.customers
  GROUP BY 1, 2
),
first_orders AS (
  SELECT customer_id, MIN_BY(tenant_id, order_date) AS tenant_id, MIN(order_date) AS first_order
  FROM {silver}.orders WHERE status = 'completed' GROUP BY customer_id
),
buyers AS (
  SELECT tenant_id, CAST(date_trunc('MONTH', first_order) AS DATE) AS month, COUNT(*) AS first_time_buyers
  FROM first_orders GROUP BY 1, 2
)
SELECT COALESCE(s.tenant_id, b.tenant_id)   AS tenant_id,
       COALESCE(s.month, b.month)           AS month,
       COALESCE(s.new_customers, 0)         AS new_customers,
       COALESCE(b.first_time_buyers, 0)     AS first_time_buyers
FROM signups s
FULL OUTER JOIN buyers b ON b.tenant_id = s.tenant_id AND b.month = s.month
