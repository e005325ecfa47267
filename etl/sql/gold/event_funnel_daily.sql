-- Funnel entry = a session with at least one page_view, dated by the session's earliest event.
WITH sessions AS (
  SELECT tenant_id, session_id,
         CAST(MIN(occurred_at) AS DATE)      AS date,
         MAX(event_type = 'page_view')       AS has_page_view,
         MAX(event_type = 'product_view')    AS has_product_view,
         MAX(event_type = 'add_to_cart')     AS has_add_to_cart,
         MAX(event_type = 'checkout_start')  AS has_checkout,
         MAX(event_type = 'purchase')        AS has_purchase
  FROM {silver}.events
  GROUP BY tenant_id, session_id
)
SELECT tenant_id,
       date,
       COUNT(*)                                                   AS sessions,
       COUNT_IF(has_product_view)                                 AS product_view_sessions,
       COUNT_IF(has_add_to_cart)                                  AS add_to_cart_sessions,
       COUNT_IF(has_checkout)                                     AS checkout_sessions,
       COUNT_IF(has_purchase)                                     AS purchase_sessions,
       CAST(COUNT_IF(has_purchase) AS DOUBLE) / COUNT(*)          AS conversion_rate
FROM sessions
WHERE has_page_view
GROUP BY tenant_id, date
