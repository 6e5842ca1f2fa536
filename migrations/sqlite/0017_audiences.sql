-- Audiences: saved rules over people (profile fields, site roles, cohorts, reporting lines), kept
-- as JSON. Members are never stored: whoever reads an audience applies its rules to the people as
-- they are then, so membership follows every profile change without a refresh.
CREATE TABLE audiences (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    match_all BOOLEAN NOT NULL DEFAULT TRUE,
    rules TEXT NOT NULL,
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX audiences_name_idx ON audiences (LOWER(name));
-- Rules compare these profile columns.
CREATE INDEX user_profiles_department_idx ON user_profiles (department);
CREATE INDEX user_profiles_hire_date_idx ON user_profiles (hire_date);
