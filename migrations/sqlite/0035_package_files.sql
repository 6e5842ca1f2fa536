-- The files of content packages of every kind (src/packages): SCORM's today, cmi5's next. Each row
-- names where one file of an item's package revision is stored; a kind keeps its own package row
-- (its manifest, its revision) and shares this table and the code that keeps and serves it.
-- A course copy shares its original's stored files: a key is deleted only when no row names it.
CREATE TABLE package_files (
    item_id BIGINT NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    revision BIGINT NOT NULL,
    path TEXT NOT NULL,
    storage_key TEXT NOT NULL,
    size BIGINT NOT NULL,
    PRIMARY KEY (item_id, revision, path)
);
CREATE INDEX package_files_key_idx ON package_files (storage_key);

-- SCORM's files move here, so that the packages sites have keep playing.
INSERT INTO package_files (item_id, revision, path, storage_key, size)
SELECT item_id, revision, path, storage_key, size FROM scorm_files;
DROP TABLE scorm_files;
