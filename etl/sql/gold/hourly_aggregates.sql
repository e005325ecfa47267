-- Clickstream events by UTC hour of event_time and type; a duplicated event_id counts once.
WITH events AS (
  SELECT event_ts, event_type, user_id
  FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY event_id ORDER BY event_ts, user_id) AS copy FROM {clickstream})
  WHERE copy = 1
)
SELECT CAST(event_ts AS DATE)         AS event_date,
       HOUR(event_ts)                 AS event_hour,
       event_type,
       COUNT(*)                       AS event_count,
       COUNT(DISTINCT user_id)        AS unique_users
FROM events
GROUP BY CAST(event_ts AS DATE), HOUR(event_ts), event_type
