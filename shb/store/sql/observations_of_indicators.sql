-- statement: every observation of the indicators in the registered frame `batch` (published together),
-- whose ids lie between $first and $last: observation is stored sorted by indicator (in a few sorted runs
-- after small imports), so the range lets the scan skip the row groups of other indicators
-- parameters: $first, $last
-- select *: whole rows of a table with the same columns, so the column count is known (AM04 off on that line)
select * from observation  -- noqa: AM04
where
    indicator_id between $first and $last
    and indicator_id in (select batch.indicator_id from batch)
