-- Clickstream events by UTC hour of event_time and type; a duplicated event_id counts once.
WITH events AS (
  SELECT event_time, event_type, user_id
  FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY event_id ORDER BY event_time, user_id) AS copy
        FROM {silver}.clickstream_events WHERE event_id IS NOT NULL AND event_time IS NOT NULL)
  WHERE copy = 1
)
SELECT CAST(event_time AS DATE)       AS event_date,
       HOUR(event_time)               AS event_hour,
       event_type,
       COUNT(*)                       AS event_count,
       COUNT(DISTINCT user_id)        AS unique_users
FROM events
GROUP BY CAST(event_time AS DATE), HOUR(event_time), event_type
