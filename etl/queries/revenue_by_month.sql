-- Revenue by tenant and month, live from silver: completed orders, their units, and the tenant's name.
-- Same numbers as gold.revenue_monthly, without waiting for the next gold build.
WITH units AS (
  SELECT order_id, SUM(quantity) AS units
  FROM {silver}.order_items
  GROUP BY order_id
),
completed AS (
  SELECT o.tenant_id,
         CAST(date_trunc('month', o.order_date) AS DATE) AS month,
         o.total_amount,
         COALESCE(u.units, 0) AS units
  FROM {silver}.orders o
  LEFT JOIN units u ON u.order_id = o.id
  WHERE o.status = 'completed'
)
SELECT c.tenant_id,
       t.name                                                AS tenant_name,
       c.month,
       COUNT(*)                                              AS order_count,
       CAST(SUM(c.total_amount) AS DECIMAL(18, 2))           AS revenue,
       CAST(SUM(c.total_amount) / COUNT(*) AS DECIMAL(18, 2)) AS avg_order_value,
       SUM(c.units)                                          AS units_sold
FROM completed c
LEFT JOIN {silver}.tenants t ON t.id = c.tenant_id
GROUP BY c.tenant_id, t.name, c.month
ORDER BY c.month, c.tenant_id
