-- Open invoices by days overdue on {as_of}; every bucket for every tenant with open invoices.
WITH open_invoices AS (
  SELECT tenant_id, amount, datediff(DATE'{as_of}', CAST(due_at AS DATE)) AS days_overdue
  FROM {silver}.invoices WHERE status = 'open'
),
bucketed AS (
  SELECT tenant_id, amount,
         CASE WHEN days_overdue <= 0 THEN 'current'
              WHEN days_overdue <= 30 THEN '1-30'
              WHEN days_overdue <= 60 THEN '31-60'
              WHEN days_overdue <= 90 THEN '61-90'
              ELSE '90+' END AS bucket
  FROM open_invoices
),
grid AS (
  SELECT t.tenant_id, b.bucket, b.position
  FROM (SELECT DISTINCT tenant_id FROM open_invoices) t
  CROSS JOIN VALUES ('current', 1), ('1-30', 2), ('31-60', 3), ('61-90', 4), ('90+', 5) AS b(bucket, position)
)
SELECT g.tenant_id,
       DATE'{as_of}'                                     AS as_of_date,
       g.bucket,
       COUNT(x.amount)                                   AS invoice_count,
       CAST(COALESCE(SUM(x.amount), 0) AS DECIMAL(18,2)) AS open_amount
FROM grid g
LEFT JOIN bucketed x ON x.tenant_id = g.tenant_id AND x.bucket = g.bucket
GROUP BY g.tenant_id, g.bucket, g.position
