import Crypto
import FerrySyncProtocol
import Foundation

/// Staged-rollout bucketing and targeting: which version a device gets from a channel.
public enum Rollout {
    /// A device's bucket for a candidate, 0 to 9999, from SHA-256 of model, channel, candidate and device id.
    ///
    /// Deterministic, so a device stays in or out as the percentage rises; salted by the candidate, so
    /// each rollout starts with a different set of devices.
    public static func bucket(model: String, channel: String, candidate: String, deviceID: String) -> Int {
        let digest = SHA256.hash(data: Data("ferry-rollout-v1\n\(model)\n\(channel)\n\(candidate)\n\(deviceID)".utf8))
        let value = digest.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        return Int(value % 10_000)
    }

    /// True when the device falls inside the candidate's rollout and targeting rules.
    static func getsCandidate(_ channel: ChannelInfo, candidate: String, model: String, query: ResolveQuery) -> Bool {
        if !channel.deviceClasses.isEmpty {
            guard let deviceClass = query.deviceClass, channel.deviceClasses.contains(deviceClass) else { return false }
        }
        if let minimum = channel.minAppVersion {
            guard let appVersion = query.appVersion, DottedVersion.compare(appVersion, minimum) >= 0 else { return false }
        }
        let threshold = Int((channel.rollout * 100).rounded())
        return bucket(model: model, channel: channel.name, candidate: candidate, deviceID: query.deviceID) < threshold
    }
}

/// Loose ordering of dotted versions (`2.14.1` > `2.9`), numeric where parts are numbers.
enum DottedVersion {
    static func compare(_ a: String, _ b: String) -> Int {
        let x = a.split(whereSeparator: { $0 == "." || $0 == "-" || $0 == "+" })
        let y = b.split(whereSeparator: { $0 == "." || $0 == "-" || $0 == "+" })
        for i in 0..<max(x.count, y.count) {
            let p = i < x.count ? String(x[i]) : "0"
            let q = i < y.count ? String(y[i]) : "0"
            if let m = Int(p), let n = Int(q) {
                if m != n { return m < n ? -1 : 1 }
            } else if p != q {
                return p < q ? -1 : 1
            }
        }
        return 0
    }
}
