-- question: Is each indicator real or demo, and which source does it cite?
-- grain: one row per indicator
-- parameters: none
-- An indicator is demo when any of its observations is generated (or it has none); a real one cites its
-- source record. The build never mixes the two within one indicator.
with observed as (
    select
        o.indicator_id,
        bool_or(o.is_demo) as any_demo,
        count(*) as observations
    from observation as o
    group by o.indicator_id
),

final as (
    select
        i.id as indicator_id,
        coalesce(ob.any_demo, true) as is_demo,
        coalesce(ob.observations, 0) as observations,
        r.citation,
        r.licence,
        r.origin,
        r.retrieved,
        r.transformation
    from indicator as i
    left join observed as ob on i.id = ob.indicator_id
    left join source_record as r on i.id = r.subject
)

select * from final
order by indicator_id
