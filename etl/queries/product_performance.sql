-- Units and revenue of every product from completed orders, ranked within its tenant (gold.product_performance).
SELECT tenant_id, product_id, category, units_sold, revenue, revenue_rank
FROM {gold}.product_performance
ORDER BY tenant_id, revenue_rank, product_id
