-- Substring search over names and emails without scanning every user: an FTS5 trigram index,
-- kept in step with the users table by triggers.
CREATE VIRTUAL TABLE users_search USING fts5(name, email, content = 'users', content_rowid = 'id', tokenize = 'trigram');
INSERT INTO users_search (users_search) VALUES ('rebuild');

CREATE TRIGGER users_search_insert AFTER INSERT ON users BEGIN
    INSERT INTO users_search (rowid, name, email) VALUES (new.id, new.name, new.email);
END;
CREATE TRIGGER users_search_delete AFTER DELETE ON users BEGIN
    INSERT INTO users_search (users_search, rowid, name, email) VALUES ('delete', old.id, old.name, old.email);
END;
CREATE TRIGGER users_search_update AFTER UPDATE OF name, email ON users BEGIN
    INSERT INTO users_search (users_search, rowid, name, email) VALUES ('delete', old.id, old.name, old.email);
    INSERT INTO users_search (rowid, name, email) VALUES (new.id, new.name, new.email);
END;
