/// Upper bounds a reader enforces before trusting declared sizes.
public struct BundleLimits: Sendable {
    /// Largest uncompressed payload accepted.
    public var maxUncompressedSize: Int
    /// Largest bundle file accepted.
    public var maxBundleSize: Int
    /// Largest manifest accepted.
    public var maxManifestSize: Int
    /// Most files in one bundle.
    public var maxFiles: Int

    public init(maxUncompressedSize: Int, maxBundleSize: Int, maxManifestSize: Int = 1 << 20, maxFiles: Int = 4096) {
        self.maxUncompressedSize = maxUncompressedSize
        self.maxBundleSize = maxBundleSize
        self.maxManifestSize = maxManifestSize
        self.maxFiles = maxFiles
    }

    /// 4 GiB uncompressed, 4 GiB on disk, 1 MiB manifest, 4096 files.
    public static let `default` = BundleLimits(maxUncompressedSize: 4 << 30, maxBundleSize: 4 << 30)
}
