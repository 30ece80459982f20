-- dataset_info: the one row that says what this database is (kind, description, versions, built_at).
SELECT kind, description, built_at, content_version, alias_map_version, schema_version, app_version
FROM dataset
