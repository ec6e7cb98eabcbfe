-- Per month × community × category (day is the month's first day; unit_id and worker_id 0): what
-- rankings of communities with a category filter, and of the categories of a township or a
-- community, read for the whole months of a period, with the fine roll-ups for the days around
-- them. 邯郸市 with 1M cases: a year's ranking of communities in one category summed the fine
-- rows of every category (1.0–1.7 s). Keyed by category first: a category filter is a range.
CREATE TABLE rollups_community_category_month (LIKE rollups_township_sum INCLUDING DEFAULTS);
ALTER TABLE rollups_community_category_month ADD PRIMARY KEY (category_code, day, unit_id, worker_id, region_code);
-- The month's first day: the day less its day of the month, plus one.
INSERT INTO rollups_community_category_month
SELECT day - EXTRACT(DAY FROM DATE '1970-01-01' + day)::int + 1 AS month, 0, 0, region_code, category_code,
       SUM(dispatched), SUM(responded_on_time), SUM(returned), SUM(due), SUM(deferred), SUM(on_time),
       SUM(overdue), SUM(resolved), SUM(reworked), SUM(handling_minutes), SUM(rated), SUM(solved), SUM(satisfied)
FROM rollups GROUP BY month, region_code, category_code;
