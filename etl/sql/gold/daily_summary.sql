-- Clickstream events by UTC day; avg_duration over the events that carry event_data.duration (ms).
WITH events AS (
  SELECT event_time, user_id, duration_ms
  FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY event_id ORDER BY event_time, user_id) AS copy
        FROM {silver}.clickstream_events WHERE event_id IS NOT NULL AND event_time IS NOT NULL)
  WHERE copy = 1
)
SELECT CAST(event_time AS DATE)   AS day,
       COUNT(*)                   AS total_events,
       COUNT(DISTINCT user_id)    AS unique_users,
       AVG(duration_ms)           AS avg_duration
FROM events
GROUP BY CAST(event_time AS DATE)
