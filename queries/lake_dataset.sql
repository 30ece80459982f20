-- lake_dataset: what a database is, for the manifest of the lake written from it (lake.write_database).
SELECT d.kind, d.description, d.alias_map_version, (SELECT count(*) FROM incident) AS incidents
FROM dataset AS d
