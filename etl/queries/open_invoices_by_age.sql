-- Open invoices from silver, most overdue first, with days overdue and aging bucket: a collections list.
-- As of the date of the latest change applied to silver (the data's own time, as gold.invoice_aging).
WITH as_of AS (
  SELECT CAST(MAX(max_dms_ts) AS DATE) AS as_of_date
  FROM {silver}.applied_files
),
open_invoices AS (
  SELECT i.tenant_id, i.id AS invoice_id, i.invoice_number, i.customer_id, i.amount,
         CAST(i.due_at AS DATE)                                 AS due_date,
         a.as_of_date,
         date_diff('day', CAST(i.due_at AS DATE), a.as_of_date) AS days_overdue
  FROM {silver}.invoices i
  CROSS JOIN as_of a
  WHERE i.status = 'open'
)
SELECT o.tenant_id, o.invoice_id, o.invoice_number, o.customer_id, c.email AS customer_email, o.amount,
       o.due_date, o.as_of_date, o.days_overdue,
       CASE WHEN o.days_overdue <= 0 THEN 'current'
            WHEN o.days_overdue <= 30 THEN '1-30'
            WHEN o.days_overdue <= 60 THEN '31-60'
            WHEN o.days_overdue <= 90 THEN '61-90'
            ELSE '90+' END AS bucket
FROM open_invoices o
LEFT JOIN {silver}.customers c ON c.id = o.customer_id
ORDER BY o.days_overdue DESC, o.tenant_id, o.invoice_id
