-- Completed orders by month (first day of the UTC month of order_date): revenue_daily's days summed.
SELECT tenant_id,
       CAST(date_trunc('MONTH', date) AS DATE)                      AS month,
       SUM(order_count)                                             AS order_count,
       CAST(SUM(revenue) AS DECIMAL(18,2))                          AS revenue,
       CAST(SUM(revenue) / SUM(order_count) AS DECIMAL(18,2))       AS avg_order_value,
       SUM(units_sold)                                              AS units_sold
FROM {gold}.revenue_daily
GROUP BY tenant_id, CAST(date_trunc('MONTH', date) AS DATE)
