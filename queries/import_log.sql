-- question: Which files were loaded into this data, by whom, with what result and into which version, newest first?
-- grain: one row per import in the log the snapshot carries (the latest 100)
-- parameters: none
select
    logged_at,
    username,
    file_name,
    sha256,
    rows,
    new_values,
    changed_values,
    unchanged_values,
    result,
    version
from import_log
order by logged_at desc, version desc
limit 100
