"""Import torchvision when its compiled ops cannot load.

PyPI's Linux torchvision wheels are built against CUDA torch. Beside a CPU-only torch wheel
their `_C` extension fails to load, and torchvision then dies at import because
`_meta_registrations` registers fake kernels for `torchvision::nms`/`qnms` without checking
that the ops exist. Ferry's converters only need the pure-Python model definitions, so we
declare those two op schemas (never called) and import again.
"""

from __future__ import annotations

import sys

_STUB_LIBRARY = None  # keeps the torch.library registration alive


def import_torchvision():
    """Return the torchvision module, working around a missing `_C` extension."""
    global _STUB_LIBRARY
    import torch

    try:
        import torchvision

        return torchvision
    except RuntimeError as error:
        if "torchvision::" not in str(error):
            raise
    for name in [m for m in sys.modules if m == "torchvision" or m.startswith("torchvision.")]:
        del sys.modules[name]
    _STUB_LIBRARY = torch.library.Library("torchvision", "DEF")
    for op in ("nms", "qnms"):
        _STUB_LIBRARY.define(f"{op}(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
    import torchvision

    return torchvision
