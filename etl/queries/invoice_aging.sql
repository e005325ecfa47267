-- Open invoices per tenant in aging buckets as of the data's latest change (gold.invoice_aging).
SELECT tenant_id, as_of_date, bucket, invoice_count, open_amount
FROM {gold}.invoice_aging
ORDER BY tenant_id,
         CASE bucket WHEN 'current' THEN 1 WHEN '1-30' THEN 2 WHEN '31-60' THEN 3 WHEN '61-90' THEN 4 ELSE 5 END
