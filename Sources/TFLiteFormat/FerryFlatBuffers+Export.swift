// The FlatBuffers builder and reader moved to their own target (FerryFlatBuffers) so the ORT
// format writer can share them; re-exported so TFLiteFormat's files and users see them as before.
@_exported import FerryFlatBuffers
