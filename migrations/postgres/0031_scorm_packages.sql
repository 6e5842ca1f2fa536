-- The SCORM package kind. An item's package as last uploaded: its manifest's structure (JSON,
-- for the player's table of contents) and where each of its files is stored. `revision` grows
-- with each upload and is part of the files' addresses, so a browser never mixes two uploads.
CREATE TABLE scorm_packages (
    item_id BIGINT PRIMARY KEY REFERENCES items (id) ON DELETE CASCADE,
    revision BIGINT NOT NULL,
    version TEXT NOT NULL,
    structure TEXT NOT NULL,
    file_name TEXT NOT NULL,
    file_count BIGINT NOT NULL,
    total_bytes BIGINT NOT NULL,
    uploaded_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    uploaded_at BIGINT NOT NULL
);

-- A course copy shares its original's stored files: a key is deleted only when no row names it.
CREATE TABLE scorm_files (
    item_id BIGINT NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    revision BIGINT NOT NULL,
    path TEXT NOT NULL,
    storage_key TEXT NOT NULL,
    size BIGINT NOT NULL,
    PRIMARY KEY (item_id, revision, path)
);
CREATE INDEX scorm_files_key_idx ON scorm_files (storage_key);
