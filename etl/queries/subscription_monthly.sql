-- Subscription health per tenant and month: active, new, churned, MRR, churn rate, ARPU (gold.subscription_monthly).
SELECT tenant_id, month, active_subscriptions, new_subscriptions, churned_subscriptions, mrr, churn_rate, arpu
FROM {gold}.subscription_monthly
ORDER BY month DESC, tenant_id
