-- Completed orders by month (first day of the UTC month of order_date).
WITH units AS (
  SELECT order_id, SUM(quantity) AS units FROM {silver}.order_items GROUP BY order_id
)
SELECT o.tenant_id,
       CAST(date_trunc('MONTH', o.order_date) AS DATE)              AS month,
       COUNT(*)                                                     AS order_count,
       CAST(SUM(o.total_amount) AS DECIMAL(18,2))                   AS revenue,
       CAST(SUM(o.total_amount) / COUNT(*) AS DECIMAL(18,2))        AS avg_order_value,
       COALESCE(SUM(u.units), 0)                                    AS units_sold
FROM {silver}.orders o
LEFT JOIN units u ON u.order_id = o.id
WHERE o.status = 'completed'
GROUP BY o.tenant_id, CAST(date_trunc('MONTH', o.order_date) AS DATE)
