-- Without a stage model no group has a lifecycle stage.
CREATE OR REPLACE TEMP TABLE jw_stage (buying_group_id VARCHAR, stage VARCHAR);
