"""The store's schema, as numbered migrations. ``PRAGMA user_version`` holds the version a store has."""

MIGRATIONS: dict[int, str] = {
    1: """
CREATE TABLE articles (
    id TEXT PRIMARY KEY, text TEXT NOT NULL, title TEXT, url TEXT, site TEXT, author TEXT,
    published TEXT, language TEXT, path TEXT, added TEXT NOT NULL
);
CREATE INDEX articles_published ON articles (published);
CREATE VIRTUAL TABLE articles_fts USING fts5 (title, text, content='articles', content_rowid='rowid');
CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts (rowid, title, text) VALUES (new.rowid, new.title, new.text);
END;
CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, text) VALUES ('delete', old.rowid, old.title, old.text);
END;
CREATE TRIGGER articles_au AFTER UPDATE ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, text) VALUES ('delete', old.rowid, old.title, old.text);
    INSERT INTO articles_fts (rowid, title, text) VALUES (new.rowid, new.title, new.text);
END;
CREATE TABLE duplicates (
    id TEXT PRIMARY KEY REFERENCES articles (id), duplicate_of TEXT, relation TEXT NOT NULL, similarity REAL
);
CREATE INDEX duplicates_of ON duplicates (duplicate_of);
CREATE TABLE dedup_state (id TEXT PRIMARY KEY REFERENCES articles (id), state BLOB NOT NULL);
CREATE TABLE stories (id TEXT PRIMARY KEY, headline TEXT NOT NULL DEFAULT '', first_seen TEXT, last_seen TEXT,
                      updated TEXT);
CREATE TABLE story_articles (article_id TEXT PRIMARY KEY REFERENCES articles (id),
                             story_id TEXT NOT NULL REFERENCES stories (id));
CREATE INDEX story_articles_story ON story_articles (story_id);
CREATE TABLE story_aliases (alias TEXT PRIMARY KEY, story_id TEXT NOT NULL);
CREATE TABLE briefs (story_id TEXT PRIMARY KEY REFERENCES stories (id), json TEXT NOT NULL, updated TEXT);
CREATE TABLE runs (id INTEGER PRIMARY KEY, started TEXT NOT NULL, finished TEXT, config TEXT, inputs TEXT,
                   counts TEXT);
CREATE TABLE failures (run_id INTEGER REFERENCES runs (id), path TEXT NOT NULL, reason TEXT NOT NULL, detail TEXT);
""",
    2: """
CREATE TABLE fetch_state (url TEXT PRIMARY KEY, etag TEXT, last_modified TEXT, checked TEXT);
CREATE TABLE feed_seen (key TEXT PRIMARY KEY, seen TEXT NOT NULL);
CREATE INDEX articles_site ON articles (site);
CREATE INDEX articles_added ON articles (added);
""",
    3: """
ALTER TABLE stories ADD COLUMN brief_stale INTEGER NOT NULL DEFAULT 1;
""",
    4: """
CREATE TABLE cluster_state (id INTEGER PRIMARY KEY CHECK (id = 1), state BLOB NOT NULL, updated TEXT);
""",
    5: """
ALTER TABLE articles ADD COLUMN entities TEXT;
""",
    6: """
ALTER TABLE stories ADD COLUMN related_stale INTEGER NOT NULL DEFAULT 1;
CREATE TABLE story_related (story_id TEXT NOT NULL, other_id TEXT NOT NULL, similarity REAL NOT NULL,
                            PRIMARY KEY (story_id, other_id));
CREATE INDEX story_related_other ON story_related (other_id);
""",
    7: """
CREATE TABLE alerts (name TEXT PRIMARY KEY, query TEXT, entity TEXT, source TEXT, webhook TEXT,
                     created TEXT NOT NULL);
CREATE TABLE alert_hits (alert TEXT NOT NULL REFERENCES alerts (name) ON DELETE CASCADE, story_id TEXT NOT NULL,
                         reason TEXT NOT NULL, sources INTEGER NOT NULL, created TEXT NOT NULL, fired TEXT,
                         attempts INTEGER NOT NULL DEFAULT 0, error TEXT, PRIMARY KEY (alert, story_id, reason));
CREATE INDEX alert_hits_pending ON alert_hits (fired);
""",
    # PostgreSQL's change counter (pg_schema.py); an SQLite store's readers watch its files instead.
    8: "",
    # PostgreSQL's index of articles newest first, where its search takes candidates (pg_schema.py); FTS5 ranks
    # inside its own index.
    9: "",
}
SCHEMA_VERSION = max(MIGRATIONS)
