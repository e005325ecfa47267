-- Clickstream events and unique users per UTC hour and event type (gold.hourly_aggregates), newest first.
SELECT event_date, event_hour, event_type, event_count, unique_users
FROM {gold}.hourly_aggregates
ORDER BY event_date DESC, event_hour DESC, event_type
