-- New sign-ups and first-time buyers per tenant and month (gold.customer_acquisition_monthly).
SELECT tenant_id, month, new_customers, first_time_buyers
FROM {gold}.customer_acquisition_monthly
ORDER BY month DESC, tenant_id
