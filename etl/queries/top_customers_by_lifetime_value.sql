-- Top 10 customers of each tenant by lifetime revenue from completed orders, with their contact, from silver.
WITH lifetime AS (
  SELECT customer_id,
         COUNT(*)                      AS order_count,
         SUM(total_amount)             AS revenue,
         MIN(CAST(order_date AS DATE)) AS first_order_date,
         MAX(CAST(order_date AS DATE)) AS last_order_date
  FROM {silver}.orders
  WHERE status = 'completed'
  GROUP BY customer_id
),
ranked AS (
  SELECT c.tenant_id, c.id AS customer_id, c.email, c.first_name, c.last_name, c.company, c.segment,
         l.order_count, l.revenue, l.first_order_date, l.last_order_date,
         ROW_NUMBER() OVER (PARTITION BY c.tenant_id ORDER BY l.revenue DESC, c.id) AS customer_rank
  FROM {silver}.customers c
  JOIN lifetime l ON l.customer_id = c.id
)
SELECT tenant_id, customer_rank, customer_id, email, first_name, last_name, company, segment, order_count,
       CAST(revenue AS DECIMAL(18, 2)) AS lifetime_revenue, first_order_date, last_order_date
FROM ranked
WHERE customer_rank <= 10
ORDER BY tenant_id, customer_rank
