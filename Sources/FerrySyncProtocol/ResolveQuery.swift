/// The device's side of resolve: sent as query parameters of `GET /v1/resolve`.
public struct ResolveQuery: Sendable, Equatable {
    public var model: String
    public var channel: String
    public var platform: String
    public var runtime: String
    public var runtimeVersion: String?
    public var appID: String?
    public var appVersion: String?
    public var deviceClass: String?
    /// A stable, app-scoped device identifier; it decides the rollout bucket.
    public var deviceID: String
    /// The version the device has installed, so the service can offer a patch.
    public var have: String?

    public init(model: String, channel: String = "stable", platform: String, runtime: String, runtimeVersion: String? = nil,
                appID: String? = nil, appVersion: String? = nil, deviceClass: String? = nil, deviceID: String, have: String? = nil) {
        self.model = model
        self.channel = channel
        self.platform = platform
        self.runtime = runtime
        self.runtimeVersion = runtimeVersion
        self.appID = appID
        self.appVersion = appVersion
        self.deviceClass = deviceClass
        self.deviceID = deviceID
        self.have = have
    }

    /// Query items in a fixed order.
    public var items: [(String, String)] {
        var out = [("model", model), ("channel", channel), ("platform", platform), ("runtime", runtime), ("deviceId", deviceID)]
        if let runtimeVersion { out.append(("runtimeVersion", runtimeVersion)) }
        if let appID { out.append(("appId", appID)) }
        if let appVersion { out.append(("appVersion", appVersion)) }
        if let deviceClass { out.append(("deviceClass", deviceClass)) }
        if let have { out.append(("have", have)) }
        return out
    }
}
