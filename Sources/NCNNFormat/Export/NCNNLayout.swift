/// How an ONNX shape becomes an NCNN blob shape: NCNN blobs are per sample (w, h, d, c at most),
/// so the batch axis (a leading 1) is dropped; when more than 4 axes remain, unit axes go too.
/// The kept axes, outermost first, map ONNX axes to NCNN axes (NCNN numbers them outermost first).
struct NCNNLayout: Equatable {
    /// ONNX axes kept, in order.
    let kept: [Int]
    let onnxShape: [Int]

    init?(_ shape: [Int]) {
        var axes = Array(shape.indices)
        if shape.count >= 2 && shape[0] == 1 { axes.removeFirst() }
        if axes.count > 4 { axes = axes.filter { shape[$0] != 1 } }
        guard axes.count <= 4 else { return nil }
        kept = axes
        onnxShape = shape
    }

    /// The blob shape (c, d, h, w order; a scalar is a 1-element vector).
    var shape: [Int] { kept.isEmpty ? [1] : kept.map { onnxShape[$0] } }

    /// The NCNN axis of ONNX axis `axis`, or nil when that axis was dropped.
    func ncnnAxis(_ axis: Int) -> Int? { kept.firstIndex(of: axis) }

    /// NCNN `Reshape`/`Input`/`MemoryData` parameters for a blob shape: 0=w 1=h 11=d 2=c.
    static func shapeParams(_ shape: [Int]) -> [Int: NCNNParamValue] {
        let ids: [Int]
        switch shape.count {
        case 1: ids = [0]
        case 2: ids = [1, 0]
        case 3: ids = [2, 1, 0]
        default: ids = [2, 11, 1, 0]
        }
        var params: [Int: NCNNParamValue] = [:]
        for (id, dim) in zip(ids, shape) { params[id] = .int(dim) }
        return params
    }

    /// The blob shape described by `Reshape`/`Input`/`MemoryData` parameters (-233 = absent).
    static func shape(fromParams layer: NCNNLayer) -> [Int] {
        let w = layer.int(0, -233), h = layer.int(1, -233), d = layer.int(11, -233), c = layer.int(2, -233)
        if w == -233 || w == 0 && h <= 0 && c <= 0 { return [] }
        if h == -233 || h == 0 && c <= 0 { return [w] }
        if c == -233 || c == 0 { return [h, w] }
        if d == -233 || d == 0 { return [c, h, w] }
        return [c, d, h, w]
    }
}

/// NCNN's Permute `order_type`s: each lists, for the output's w, h, (d,) c, the input axis it takes.
enum NCNNPermute {
    static let orders: [Int: [String]] = [
        2: ["wh", "hw"],
        3: ["whc", "hwc", "wch", "cwh", "hcw", "chw"],
        4: ["whdc", "hwdc", "wdhc", "dwhc", "hdwc", "dhwc", "whcd", "hwcd", "wchd", "cwhd", "hcwd", "chwd",
            "wdch", "dwch", "wcdh", "cwdh", "dcwh", "cdwh", "hdcw", "dhcw", "hcdw", "chdw", "dchw", "cdhw"],
    ]

    /// The permutation (output axis → input axis, outermost first) of `orderType` for a rank-`rank` blob.
    static func permutation(orderType: Int, rank: Int) -> [Int]? {
        guard let list = orders[rank], orderType >= 0, orderType < list.count else { return rank == 1 && orderType == 0 ? [0] : nil }
        let names: [Character] = rank == 2 ? ["h", "w"] : rank == 3 ? ["c", "h", "w"] : ["c", "d", "h", "w"]
        return list[orderType].reversed().map { names.firstIndex(of: $0)! }
    }

    /// The order type of a permutation, or nil when NCNN has none (rank 1 or above 4).
    static func orderType(_ perm: [Int]) -> Int? {
        guard let list = orders[perm.count] else { return nil }
        return list.indices.first { permutation(orderType: $0, rank: perm.count) == perm }
    }
}
