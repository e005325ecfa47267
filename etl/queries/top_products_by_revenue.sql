-- Top 10 products of each tenant by revenue from completed orders (ties share a rank), from silver.
WITH sales AS (
  SELECT i.product_id, SUM(i.quantity) AS units_sold, SUM(i.line_total) AS revenue
  FROM {silver}.order_items i
  JOIN {silver}.orders o ON o.id = i.order_id
  WHERE o.status = 'completed'
  GROUP BY i.product_id
),
ranked AS (
  SELECT p.tenant_id, p.id AS product_id, p.sku, p.name, p.category, s.units_sold, s.revenue,
         DENSE_RANK() OVER (PARTITION BY p.tenant_id ORDER BY s.revenue DESC) AS revenue_rank
  FROM {silver}.products p
  JOIN sales s ON s.product_id = p.id
)
SELECT tenant_id, revenue_rank, product_id, sku, name, category, units_sold,
       CAST(revenue AS DECIMAL(18, 2)) AS revenue
FROM ranked
WHERE revenue_rank <= 10
ORDER BY tenant_id, revenue_rank, product_id
