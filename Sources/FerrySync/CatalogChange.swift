/// A write to a catalogue that several instances share, made through any of them, as far as
/// caches need to know.
public enum CatalogChange: Sendable, Equatable {
    /// The model's releases or channels changed (publish, rollout change, rollback).
    case model(String)
    /// Changes may have been missed (the listener has just connected or reconnected): any model.
    case all

    /// The metrics label: what made this instance drop cached snapshots.
    enum Reason: String, CaseIterable, Sendable {
        case notify, connect
    }

    var reason: Reason {
        switch self {
        case .model: .notify
        case .all: .connect
        }
    }
}

extension Catalog {
    /// A catalogue that only one instance uses (the embedded SQLite one) has nothing to report.
    public func observeChanges(_ handler: @escaping @Sendable (CatalogChange) -> Void) {}
}
