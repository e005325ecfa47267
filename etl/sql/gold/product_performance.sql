-- Every silver product: units and revenue from completed orders' items; dense rank of revenue
-- within the tenant (1 = highest); products without sales rank after every seller.
WITH sales AS (
  SELECT i.product_id, SUM(i.quantity) AS units_sold, SUM(i.line_total) AS revenue
  FROM {silver}.order_items i JOIN {silver}.orders o ON o.id = i.order_id
  WHERE o.status = 'completed'
  GROUP BY i.product_id
),
ranked AS (
  SELECT p.tenant_id, p.id AS product_id, p.category, s.units_sold, s.revenue,
         CASE WHEN s.product_id IS NOT NULL
              THEN DENSE_RANK() OVER (PARTITION BY p.tenant_id, s.product_id IS NOT NULL ORDER BY s.revenue DESC) END AS seller_rank
  FROM {silver}.products p LEFT JOIN sales s ON s.product_id = p.id
)
SELECT tenant_id,
       product_id,
       category,
       COALESCE(units_sold, 0)                                  AS units_sold,
       CAST(COALESCE(revenue, 0) AS DECIMAL(18,2))              AS revenue,
       COALESCE(seller_rank, COALESCE(MAX(seller_rank) OVER (PARTITION BY tenant_id), 0) + 1) AS revenue_rank
FROM ranked
