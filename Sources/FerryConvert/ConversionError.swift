/// Why a conversion stopped; cases name the flag, file or layer concerned.
public enum ConversionError: Error, CustomStringConvertible {
    case needsCalibration(mode: String)
    case unknownLayer(flag: String, String)
    case budgetUnreachable(String)
    case unsupported(String)

    public var description: String {
        switch self {
        case .needsCalibration(let mode):
            return "--quantize \(mode) needs calibration data: --calibration FILE.npz (or .npy, a folder, NAME=FILE)"
        case .unknownLayer(let flag, let name):
            return "\(flag) \(name): the model has no node, value or weight of that name"
        case .budgetUnreachable(let reason), .unsupported(let reason):
            return reason
        }
    }
}
