-- Share of each first-order cohort still buying N months later, per tenant (gold.cohort_retention).
SELECT tenant_id, cohort_month, months_since, active_customers, cohort_size, retention_rate
FROM {gold}.cohort_retention
ORDER BY tenant_id, cohort_month, months_since
