-- statement: in a copied file, remove the stored observations an added row replaces (their keys are the
-- view `added_keys`)
-- parameters: none
delete from observation
using added_keys as a
where
    observation.indicator_id = a.indicator_id
    and observation.area_code = a.area_code
    and observation.year = a.year
    and observation.group_dim = a.group_dim
    and observation.group_value = a.group_value
