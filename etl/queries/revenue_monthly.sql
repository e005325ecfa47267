-- Completed-order revenue per tenant and month (gold.revenue_monthly), newest month first.
SELECT tenant_id, month, order_count, revenue, avg_order_value, units_sold
FROM {gold}.revenue_monthly
ORDER BY month DESC, tenant_id
