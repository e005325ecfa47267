-- One row per silver customer; order columns over the customer's completed orders.
WITH completed AS (
  SELECT customer_id,
         MIN(CAST(order_date AS DATE)) AS first_order_date,
         MAX(CAST(order_date AS DATE)) AS last_order_date,
         COUNT(*)                      AS order_count,
         SUM(total_amount)             AS revenue
  FROM {silver}.orders
  WHERE status = 'completed'
  GROUP BY customer_id
)
SELECT c.tenant_id,
       c.id                                                        AS customer_id,
       CAST(c.created_at AS DATE)                                  AS signup_date,
       o.first_order_date,
       o.last_order_date,
       COALESCE(o.order_count, 0)                                  AS order_count,
       CAST(COALESCE(o.revenue, 0) AS DECIMAL(18,2))               AS lifetime_revenue,
       CAST(o.revenue / o.order_count AS DECIMAL(18,2))            AS avg_order_value
FROM {silver}.customers c
LEFT JOIN completed o ON o.customer_id = c.id
