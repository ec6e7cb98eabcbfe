-- Per day × unit × township with the unit's grid workers folded away (worker_id 0, category_code
-- ''), units only: what rankings of units and the figures of one unit read. rollups_township also
-- holds a row per grid worker and day (邯郸市: 5,835 workers against ~300 units), which a ranking
-- of units had to step over. Kept in the same transaction as the other roll-ups.
-- The same columns, defaults and primary key as the township sums.
CREATE TABLE rollups_unit_sum (LIKE rollups_township_sum INCLUDING ALL);
INSERT INTO rollups_unit_sum
SELECT day, unit_id, 0, region_code, '', SUM(dispatched), SUM(responded_on_time), SUM(returned), SUM(due), SUM(deferred),
       SUM(on_time), SUM(overdue), SUM(resolved), SUM(reworked), SUM(handling_minutes), SUM(rated), SUM(solved),
       SUM(satisfied)
FROM rollups_township WHERE unit_id <> 0 GROUP BY day, unit_id, region_code;
