-- Clickstream events by UTC day; avg_duration over the events that carry event_data.duration (ms).
WITH events AS (
  SELECT event_ts, user_id, duration
  FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY event_id ORDER BY event_ts, user_id) AS copy FROM {clickstream})
  WHERE copy = 1
)
SELECT CAST(event_ts AS DATE)     AS day,
       COUNT(*)                   AS total_events,
       COUNT(DISTINCT user_id)    AS unique_users,
       AVG(duration)              AS avg_duration
FROM events
GROUP BY CAST(event_ts AS DATE)
