-- question: Which areas are there at one level, with name, parent and map facts?
-- grain: one row per area at $level
-- parameters: $level
select
    code,
    name,
    level,
    parent_code,
    centroid_lat,
    centroid_lon,
    area_km2,
    tatort,
    border_changed_2025,
    police_2025
from area
where level = $level
order by code
