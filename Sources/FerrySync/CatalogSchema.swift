/// The catalogue's tables, written in the SQL that SQLite and PostgreSQL share.
enum CatalogSchema {
    static let statements = [
        "CREATE TABLE IF NOT EXISTS models (name TEXT PRIMARY KEY, sequence BIGINT NOT NULL)",
        """
        CREATE TABLE IF NOT EXISTS releases (
          model TEXT NOT NULL, version TEXT NOT NULL, platform TEXT NOT NULL, runtime TEXT NOT NULL,
          blob_sha256 TEXT NOT NULL, blob_size BIGINT NOT NULL, payload_size BIGINT NOT NULL, payload_sha256 TEXT NOT NULL,
          min_runtime_version TEXT, manifest BLOB NOT NULL, signature BLOB NOT NULL, published_at BIGINT NOT NULL,
          PRIMARY KEY (model, version, platform, runtime))
        """,
        """
        CREATE TABLE IF NOT EXISTS deltas (
          model TEXT NOT NULL, platform TEXT NOT NULL, runtime TEXT NOT NULL, from_version TEXT NOT NULL, to_version TEXT NOT NULL,
          from_payload_sha256 TEXT NOT NULL, blob_sha256 TEXT NOT NULL, blob_size BIGINT NOT NULL,
          PRIMARY KEY (model, platform, runtime, from_version, to_version))
        """,
        """
        CREATE TABLE IF NOT EXISTS channels (
          model TEXT NOT NULL, name TEXT NOT NULL, version TEXT, candidate TEXT, rollout DOUBLE PRECISION NOT NULL,
          device_classes TEXT NOT NULL, min_app_version TEXT, PRIMARY KEY (model, name))
        """,
        "CREATE TABLE IF NOT EXISTS tokens (id TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE, model TEXT NOT NULL, created_at BIGINT NOT NULL)",
        """
        CREATE TABLE IF NOT EXISTS audit (
          id INTEGER PRIMARY KEY AUTOINCREMENT, at BIGINT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
          model TEXT NOT NULL, channel TEXT, version TEXT, detail TEXT NOT NULL)
        """,
    ]
}
