-- Every customer's lifetime value from completed orders, highest first (gold.customer_ltv).
SELECT tenant_id, customer_id, signup_date, first_order_date, last_order_date, order_count, lifetime_revenue,
       avg_order_value
FROM {gold}.customer_ltv
ORDER BY lifetime_revenue DESC, customer_id
