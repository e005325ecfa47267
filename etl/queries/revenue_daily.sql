-- Completed-order revenue per tenant and UTC day (gold.revenue_daily), newest day first.
SELECT tenant_id, "date", order_count, revenue, avg_order_value, units_sold
FROM {gold}.revenue_daily
ORDER BY "date" DESC, tenant_id
