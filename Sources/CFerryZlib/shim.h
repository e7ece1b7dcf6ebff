// zlib from the system: crc32_z checks the members of .npz archives (the zip reader's own CRC
// is a byte-at-a-time loop on Linux, where it finds no zlib module).
#include <zlib.h>
