-- statement: the observations of the indicators in the registered frame `batch` in a rewritten file: the
-- previous snapshot's, less those an added row replaces (their keys are the view `added_keys`), and the
-- added rows; stored sorted in the order of shb.store.schema.OBSERVATION_ORDER. The stored rows replaced
-- are found with a left join: DuckDB builds its hash table on the smaller side, while an anti join always
-- builds on the keys, which may be millions.
-- parameters: none
-- select *: whole rows of tables with the same columns, so the column count is known (AM04 off on those lines)
insert into observation by name
select merged.* from (  -- noqa: AM04
    select kept.* exclude (replaced)  -- noqa: AM04, RF03
    from (
        select
            o.*,  -- noqa: AM04
            a.replaced
        from previous.observation as o
        left join (
            select
                added_keys.indicator_id,
                added_keys.area_code,
                added_keys.year,
                added_keys.group_dim,
                added_keys.group_value,
                true as replaced
            from added_keys
        ) as a
            on
                o.indicator_id = a.indicator_id
                and o.area_code = a.area_code
                and o.year = a.year
                and o.group_dim = a.group_dim
                and o.group_value = a.group_value
        where o.indicator_id in (select batch.indicator_id from batch)
    ) as kept
    where kept.replaced is null
    union all by name
    select * from added_file  -- noqa: AM04
    where added_file.indicator_id in (select batch.indicator_id from batch)
) as merged
order by
    merged.indicator_id, merged.level, merged.group_dim, merged.year, merged.area_code, merged.group_value
