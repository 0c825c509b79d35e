SELECT lifecycle_stage FROM marts.buying_groups WHERE buying_group_id = $buying_group_id
