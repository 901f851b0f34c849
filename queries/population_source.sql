-- question: Where do the population figures come from: their source record, when the file has one?
-- grain: one row; the record's columns are null when there is none (demo population)
-- parameters: none
-- Only snapshot files made since source_record existed have the table (see snapshot_tables).
with wanted as (
    select 'befolkning' as subject
),

final as (
    select
        w.subject,
        r.citation,
        r.licence,
        r.origin,
        r.retrieved,
        r.transformation
    from wanted as w
    left join source_record as r on w.subject = r.subject
)

select * from final
