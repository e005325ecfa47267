-- Sessions entering the funnel per tenant and day and how far they got (gold.event_funnel_daily).
SELECT tenant_id, "date", sessions, product_view_sessions, add_to_cart_sessions, checkout_sessions,
       purchase_sessions, conversion_rate
FROM {gold}.event_funnel_daily
ORDER BY "date" DESC, tenant_id
