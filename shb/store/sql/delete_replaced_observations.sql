-- statement: in a copied file, remove the stored observations an added row replaces (the same key)
-- parameters: none
delete from observation
using added_file as a
where
    observation.indicator_id = a.indicator_id
    and observation.area_code = a.area_code
    and observation.year = a.year
    and observation.group_dim = a.group_dim
    and observation.group_value = a.group_value
