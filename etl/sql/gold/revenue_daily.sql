-- Completed orders by UTC calendar date of order_date (docs/gold_metrics.md: revenue_daily).
WITH units AS (
  SELECT order_id, SUM(quantity) AS units FROM {silver}.order_items GROUP BY order_id
)
SELECT o.tenant_id,
       CAST(o.order_date AS DATE)                                   AS date,
       COUNT(*)                                                     AS order_count,
       CAST(SUM(o.total_amount) AS DECIMAL(18,2))                   AS revenue,
       CAST(SUM(o.total_amount) / COUNT(*) AS DECIMAL(18,2))        AS avg_order_value,
       COALESCE(SUM(u.units), 0)                                    AS units_sold
FROM {silver}.orders o
LEFT JOIN units u ON u.order_id = o.id
WHERE o.status = 'completed'
GROUP BY o.tenant_id, CAST(o.order_date AS DATE)
