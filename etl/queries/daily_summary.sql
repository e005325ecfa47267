-- Clickstream events, unique users and average duration (ms) per UTC day (gold.daily_summary), newest first.
SELECT "day", total_events, unique_users, avg_duration
FROM {gold}.daily_summary
ORDER BY "day" DESC
