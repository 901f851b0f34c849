-- statement: whether any observation or population figure of the snapshot is demo data
-- parameters: none
select
    coalesce((select bool_or(o.is_demo) from observation as o), false)
    or coalesce((select bool_or(p.is_demo) from area_population as p), false) as is_demo
