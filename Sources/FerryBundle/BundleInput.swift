import Foundation

/// One file of a bundle: its path inside the bundle and its bytes.
public struct BundleInput: Sendable {
    public var path: String
    public var contents: Data

    public init(path: String, contents: Data) {
        self.path = path
        self.contents = contents
    }
}
