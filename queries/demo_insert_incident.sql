-- demo_insert_incident: the demo's incidents (the view demo_rows: queries/demo_incident_rows.sql), in the order
-- they come, which is seq order: the table is stored in seq order and build.finish has no seq to assign.
INSERT INTO incident BY NAME
SELECT * FROM demo_rows
