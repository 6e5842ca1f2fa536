-- What organisations record about their people, for audiences, managers' teams and compliance:
-- an employee id (unique when given), department, job title, manager (a user), location and
-- hire date (YYYY-MM-DD). One row per user that has any of it.
CREATE TABLE user_profiles (
    user_id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    employee_id TEXT,
    department TEXT NOT NULL DEFAULT '',
    job_title TEXT NOT NULL DEFAULT '',
    manager_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    location TEXT NOT NULL DEFAULT '',
    hire_date TEXT,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX user_profiles_employee_id_key ON user_profiles (employee_id) WHERE employee_id IS NOT NULL;
CREATE INDEX user_profiles_manager_idx ON user_profiles (manager_id);
