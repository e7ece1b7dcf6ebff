// Float32 Add, Sub, Mul and Div over one row of a broadcast: each operand either walks the row
// (stride 1) or repeats one value (stride 0). Plain loops the compiler vectorizes; each result
// is one IEEE operation on the same two floats as the scalar path (contraction is off), so the
// values are bit-identical to it.
#include "include/ferry_kernels.h"

#if defined(__x86_64__) && defined(__linux__)
#define FERRY_MULTIVERSION __attribute__((target_clones("avx2", "default")))
#else
#define FERRY_MULTIVERSION
#endif

#define FERRY_ROW(NAME, EXPR)                                                                    \
    static inline void NAME(const float *a, long sa, const float *b, long sb, float *out, long n) { \
        if (sa == 1 && sb == 1) {                                                                \
            for (long i = 0; i < n; i++) { float x = a[i], y = b[i]; out[i] = EXPR; }            \
        } else if (sa == 1) {                                                                    \
            const float y = b[0];                                                                \
            for (long i = 0; i < n; i++) { float x = a[i]; out[i] = EXPR; }                      \
        } else if (sb == 1) {                                                                    \
            const float x = a[0];                                                                \
            for (long i = 0; i < n; i++) { float y = b[i]; out[i] = EXPR; }                      \
        } else {                                                                                 \
            float x = a[0], y = b[0];                                                            \
            float v = EXPR;                                                                      \
            for (long i = 0; i < n; i++) out[i] = v;                                             \
        }                                                                                        \
    }

FERRY_ROW(add_row, x + y)
FERRY_ROW(sub_row, x - y)
FERRY_ROW(mul_row, x * y)
FERRY_ROW(div_row, x / y)

FERRY_MULTIVERSION
void ferry_binary_f32(int op, const float *a, long sa, const float *b, long sb, float *out, long n) {
    switch (op) {
    case FERRY_BINARY_ADD: add_row(a, sa, b, sb, out, n); break;
    case FERRY_BINARY_SUB: sub_row(a, sa, b, sb, out, n); break;
    case FERRY_BINARY_MUL: mul_row(a, sa, b, sb, out, n); break;
    case FERRY_BINARY_DIV: div_row(a, sa, b, sb, out, n); break;
    default: break;
    }
}

// Per-tensor dequantization of 8- and 16-bit integers: y = (x − zero) · scale, the difference
// exact in int32 and converted exactly to float, then one IEEE multiply, as the scalar path.
#define FERRY_DEQUANTIZE(NAME, T)                                                               \
    FERRY_MULTIVERSION                                                                          \
    void NAME(const T *x, float *y, long n, int zero, float scale) {                            \
        for (long i = 0; i < n; i++) y[i] = (float)((int)x[i] - zero) * scale;                  \
    }
FERRY_DEQUANTIZE(ferry_dequantize_s8_f32, int8_t)
FERRY_DEQUANTIZE(ferry_dequantize_u8_f32, uint8_t)
FERRY_DEQUANTIZE(ferry_dequantize_s16_f32, int16_t)
FERRY_DEQUANTIZE(ferry_dequantize_u16_f32, uint16_t)

// Clip as the Swift path computes it, min(max(x, lo), hi) with Swift's operand order
// (max(x, lo) = lo >= x ? lo : x; min(t, hi) = hi < t ? hi : t): NaN passes through and a zero's
// sign is the same as before.
FERRY_MULTIVERSION
void ferry_clip_f32(const float *x, float *out, long n, float lo, float hi) {
    for (long i = 0; i < n; i++) {
        float v = x[i];
        v = lo >= v ? lo : v;
        out[i] = hi < v ? hi : v;
    }
}
