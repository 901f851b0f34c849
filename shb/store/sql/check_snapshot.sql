-- statement: what a whole snapshot must have: one version row, observations, none without indicator or area
-- parameters: none
select
    (select count(*) from snapshot) as snapshot_rows,
    (select count(*) from observation) as observations,
    (
        select count(*) from observation as o
        anti join indicator as i on o.indicator_id = i.id
    ) as without_indicator,
    (
        select count(*) from observation as o
        anti join area as a on o.area_code = a.code
    ) as without_area
