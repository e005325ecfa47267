-- Funnel by tenant and month from silver events: sessions with a page_view, each step they reached, conversion.
-- A session counts in the month of its first event (as gold.event_funnel_daily dates it).
WITH sessions AS (
  SELECT tenant_id,
         session_id,
         CAST(date_trunc('month', MIN(occurred_at)) AS DATE) AS month,
         bool_or(event_type = 'page_view')                   AS entered,
         bool_or(event_type = 'product_view')                AS viewed_product,
         bool_or(event_type = 'add_to_cart')                 AS added_to_cart,
         bool_or(event_type = 'checkout_start')              AS started_checkout,
         bool_or(event_type = 'purchase')                    AS purchased
  FROM {silver}.events
  GROUP BY tenant_id, session_id
)
SELECT tenant_id,
       month,
       COUNT(*)                                          AS sessions,
       COUNT_IF(viewed_product)                          AS product_view_sessions,
       COUNT_IF(added_to_cart)                           AS add_to_cart_sessions,
       COUNT_IF(started_checkout)                        AS checkout_sessions,
       COUNT_IF(purchased)                               AS purchase_sessions,
       CAST(COUNT_IF(purchased) AS DOUBLE) / COUNT(*)    AS conversion_rate
FROM sessions
WHERE entered
GROUP BY tenant_id, month
ORDER BY month, tenant_id
