-- question: What do the member areas of a set add up to, for every indicator and year (totals only)?
-- grain: one row per indicator × year with a row for at least one of the set's RegSO, by indicator id and year
-- parameters: $set_id
-- The sums `measures.set_from_sums` turns into the set's value (the same sums `measures.member_sums`
-- takes in pandas): member_rows counts the members' rows whatever their status; the sums and the
-- counts of known denominators and populations are over published ('ok') rows only, 0 when none is
-- known. Sums of integers are exact; value sums use fsum (correctly rounded, whatever the order).
with members as (
    select m.area_code
    from area_set_member as m
    where m.set_id = $set_id
),

published as (
    select
        o.indicator_id,
        o.year,
        o.status = 'ok' as used,
        if(o.status = 'ok', o.numerator, null) as ok_numerator,
        if(o.status = 'ok', o.denominator, null) as ok_denominator,
        if(o.status = 'ok', o.population, null) as ok_population,
        if(o.status = 'ok', o.value, null) as ok_value
    from published_observation as o
    inner join members as m on o.area_code = m.area_code
    where
        o.group_dim = 'total'
        and o.level = 'regso'
),

final as (
    select
        p.indicator_id,
        p.year,
        count(*) as member_rows,
        count_if(p.used) as members_used,
        coalesce(sum(p.ok_numerator), 0)::double as numerator_sum,
        coalesce(sum(p.ok_denominator), 0)::double as denominator_sum,
        coalesce(sum(p.ok_population), 0)::double as population_sum,
        coalesce(fsum(p.ok_value), 0) as value_sum,
        coalesce(fsum(p.ok_value * p.ok_population), 0) as weighted_sum,
        count(p.ok_denominator) as denominators_known,
        count(p.ok_population) as populations_known
    from published as p
    group by p.indicator_id, p.year
)

select * from final
order by indicator_id, year
