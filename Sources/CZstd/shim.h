// libzstd's stable API: one-shot and streaming (de)compression, prefix references for patch-from.
#include <zstd.h>
