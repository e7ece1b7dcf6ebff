#include "ferry_qkernels.h"
#include <math.h>
#include <limits.h>
#include <string.h>

void ferry_quantize_multiplier(double real, int32_t *multiplier, int *shift, int single_rounding) {
    if (real == 0.0) { *multiplier = 0; *shift = 0; return; }
    int exponent = 0;
    const double q = frexp(real, &exponent);
    int64_t q_fixed = (int64_t)round(q * (double)(1LL << 31));
    if (q_fixed == (1LL << 31)) { q_fixed /= 2; ++exponent; }
    if (exponent < -31) { exponent = 0; q_fixed = 0; }
    if (single_rounding && exponent > 30) { exponent = 30; q_fixed = (1LL << 31) - 1; }
    *multiplier = (int32_t)q_fixed;
    *shift = exponent;
}

static inline int32_t saturating_rounding_doubling_high_mul(int32_t a, int32_t b) {
    const int overflow = a == b && a == INT32_MIN;
    const int64_t ab = (int64_t)a * (int64_t)b;
    const int32_t nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
    const int32_t high = (int32_t)((ab + nudge) / (1LL << 31));
    return overflow ? INT32_MAX : high;
}

static inline int32_t rounding_divide_by_pot(int32_t x, int exponent) {
    const int32_t mask = (int32_t)((1LL << exponent) - 1);
    const int32_t remainder = x & mask;
    const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

int32_t ferry_multiply_by_quantized_multiplier(int32_t x, int32_t multiplier, int shift, int single_rounding) {
    if (single_rounding) {
        const int64_t total_shift = 31 - shift;
        const int64_t rounding = (int64_t)1 << (total_shift - 1);
        int64_t result = (int64_t)x * (int64_t)multiplier + rounding;
        return (int32_t)(result >> total_shift);
    }
    const int left_shift = shift > 0 ? shift : 0;
    const int right_shift = shift > 0 ? 0 : -shift;
    return rounding_divide_by_pot(saturating_rounding_doubling_high_mul((int32_t)((uint32_t)x << left_shift), multiplier), right_shift);
}

int32_t ferry_multiply_by_quantized_multiplier64(int64_t x, int32_t multiplier, int shift) {
    const int32_t reduced = multiplier < 0x7FFF0000 ? ((multiplier + (1 << 15)) >> 16) : 0x7FFF;
    const int64_t total_shift = 15 - shift;
    const int64_t rounding = (int64_t)1 << (total_shift - 1);
    int64_t result = x * (int64_t)reduced + rounding;
    return (int32_t)(result >> total_shift);
}

static inline int8_t clamp_s8(int32_t v, int32_t lo, int32_t hi) {
    return (int8_t)(v < lo ? lo : (v > hi ? hi : v));
}

void ferry_qconv2d_s8(const int8_t *input, const int8_t *weights, const int32_t *bias, int8_t *output,
                      int channels, int height, int width, int out_channels, int group,
                      int kernel_h, int kernel_w, int pad_top, int pad_left,
                      int stride_h, int stride_w, int dilation_h, int dilation_w, int out_h, int out_w,
                      int32_t input_offset, int32_t output_offset,
                      const int32_t *multipliers, const int32_t *shifts,
                      int32_t act_min, int32_t act_max, int single_rounding,
                      int channel_begin, int channel_end) {
    const int cin_g = channels / group, cout_g = out_channels / group;
    for (int m = channel_begin; m < channel_end; ++m) {
        const int g = m / cout_g;
        const int8_t *w = weights + (long)m * cin_g * kernel_h * kernel_w;
        int8_t *out = output + (long)m * out_h * out_w;
        for (int oy = 0; oy < out_h; ++oy) {
            for (int ox = 0; ox < out_w; ++ox) {
                int32_t acc = 0;
                const int iy0 = oy * stride_h - pad_top, ix0 = ox * stride_w - pad_left;
                for (int c = 0; c < cin_g; ++c) {
                    const int8_t *plane = input + (long)(g * cin_g + c) * height * width;
                    const int8_t *wc = w + (long)c * kernel_h * kernel_w;
                    for (int ky = 0; ky < kernel_h; ++ky) {
                        const int iy = iy0 + ky * dilation_h;
                        if (iy < 0 || iy >= height) continue;
                        for (int kx = 0; kx < kernel_w; ++kx) {
                            const int ix = ix0 + kx * dilation_w;
                            if (ix < 0 || ix >= width) continue;
                            acc += (int32_t)wc[ky * kernel_w + kx] * ((int32_t)plane[iy * width + ix] + input_offset);
                        }
                    }
                }
                if (bias) acc += bias[m];
                acc = ferry_multiply_by_quantized_multiplier(acc, multipliers[m], shifts[m], single_rounding);
                acc += output_offset;
                out[oy * out_w + ox] = clamp_s8(acc, act_min, act_max);
            }
        }
    }
}

void ferry_qfully_connected_s8(const int8_t *input, const int8_t *weights, const int32_t *bias, int8_t *output,
                               int batches, int depth, int outputs,
                               int32_t input_offset, int32_t output_offset,
                               const int32_t *multipliers, const int32_t *shifts,
                               int32_t act_min, int32_t act_max, int single_rounding,
                               int row_begin, int row_end) {
    for (int b = row_begin; b < row_end; ++b) {
        const int8_t *x = input + (long)b * depth;
        for (int n = 0; n < outputs; ++n) {
            const int8_t *w = weights + (long)n * depth;
            int32_t acc = 0;
            for (int d = 0; d < depth; ++d) acc += (int32_t)w[d] * ((int32_t)x[d] + input_offset);
            if (bias) acc += bias[n];
            acc = ferry_multiply_by_quantized_multiplier(acc, multipliers[n], shifts[n], single_rounding);
            acc += output_offset;
            output[(long)b * outputs + n] = clamp_s8(acc, act_min, act_max);
        }
    }
}

void ferry_qim2col_s8(const int8_t *input, int8_t *col, int channels, int height, int width,
                      int kernel_h, int kernel_w, int pad_top, int pad_left, int stride_h, int stride_w,
                      int dilation_h, int dilation_w, int out_h, int out_w, int8_t pad_value) {
    const long positions = (long)out_h * out_w;
    for (int c = 0; c < channels; ++c) {
        const int8_t *plane = input + (long)c * height * width;
        for (int ky = 0; ky < kernel_h; ++ky) {
            for (int kx = 0; kx < kernel_w; ++kx) {
                int8_t *row = col + ((long)(c * kernel_h + ky) * kernel_w + kx) * positions;
                for (int oy = 0; oy < out_h; ++oy) {
                    const int iy = oy * stride_h - pad_top + ky * dilation_h;
                    int8_t *dst = row + (long)oy * out_w;
                    if (iy < 0 || iy >= height) { memset(dst, pad_value, (size_t)out_w); continue; }
                    const int8_t *src = plane + (long)iy * width;
                    for (int ox = 0; ox < out_w; ++ox) {
                        const int ix = ox * stride_w - pad_left + kx * dilation_w;
                        dst[ox] = (ix < 0 || ix >= width) ? pad_value : src[ix];
                    }
                }
            }
        }
    }
}

/* acc[0..n) += w0·c0 + w1·c1 + w2·c2 + w3·c3: int8 products summed in int32 (exact). */
#define FERRY_QGEMM_BODY                                                                          \
    for (int p0 = 0; p0 < P; p0 += TILE) {                                                        \
        const int n = P - p0 < TILE ? P - p0 : TILE;                                              \
        for (int m = m_begin; m < m_end; ++m) {                                                   \
            const int8_t *w = weights + (long)m * K;                                              \
            int32_t start = bias ? bias[m] : 0;                                                   \
            int32_t rowsum = 0;                                                                   \
            for (int k = 0; k < K; ++k) rowsum += w[k];                                           \
            start += input_offset * rowsum;                                                       \
            for (int i = 0; i < n; ++i) acc[i] = start;                                           \
            int k = 0;                                                                            \
            for (; k + 4 <= K; k += 4) {                                                          \
                const int32_t w0 = w[k], w1 = w[k + 1], w2 = w[k + 2], w3 = w[k + 3];             \
                const int8_t *c0 = col + (long)k * P + p0, *c1 = c0 + P, *c2 = c1 + P, *c3 = c2 + P; \
                for (int i = 0; i < n; ++i)                                                       \
                    acc[i] += w0 * c0[i] + w1 * c1[i] + w2 * c2[i] + w3 * c3[i];                  \
            }                                                                                     \
            for (; k < K; ++k) {                                                                  \
                const int32_t w0 = w[k];                                                          \
                const int8_t *c0 = col + (long)k * P + p0;                                        \
                for (int i = 0; i < n; ++i) acc[i] += w0 * c0[i];                                 \
            }                                                                                     \
            int8_t *out = output + (long)m * P + p0;                                              \
            for (int i = 0; i < n; ++i) {                                                         \
                int32_t v = ferry_multiply_by_quantized_multiplier(acc[i], multipliers[m], shifts[m], single_rounding); \
                out[i] = clamp_s8(v + output_offset, act_min, act_max);                          \
            }                                                                                     \
        }                                                                                         \
    }

enum { TILE = 512 };

static void qgemm_generic(const int8_t *weights, const int8_t *col, const int32_t *bias, int8_t *output, int K, int P,
                          int32_t input_offset, int32_t output_offset, const int32_t *multipliers, const int32_t *shifts,
                          int32_t act_min, int32_t act_max, int single_rounding, int m_begin, int m_end) {
    int32_t acc[TILE];
    FERRY_QGEMM_BODY
}

#if defined(__x86_64__)
__attribute__((target("avx2")))
static void qgemm_avx2(const int8_t *weights, const int8_t *col, const int32_t *bias, int8_t *output, int K, int P,
                       int32_t input_offset, int32_t output_offset, const int32_t *multipliers, const int32_t *shifts,
                       int32_t act_min, int32_t act_max, int single_rounding, int m_begin, int m_end) {
    int32_t acc[TILE];
    FERRY_QGEMM_BODY
}
#endif

void ferry_qgemm_requant_s8(const int8_t *weights, const int8_t *col, const int32_t *bias, int8_t *output, int K, int P,
                            int32_t input_offset, int32_t output_offset, const int32_t *multipliers, const int32_t *shifts,
                            int32_t act_min, int32_t act_max, int single_rounding, int m_begin, int m_end) {
#if defined(__x86_64__)
    static int avx2 = -1;
    if (avx2 < 0) avx2 = __builtin_cpu_supports("avx2") ? 1 : 0;
    if (avx2) {
        qgemm_avx2(weights, col, bias, output, K, P, input_offset, output_offset, multipliers, shifts, act_min, act_max,
                   single_rounding, m_begin, m_end);
        return;
    }
#endif
    qgemm_generic(weights, col, bias, output, K, P, input_offset, output_offset, multipliers, shifts, act_min, act_max,
                  single_rounding, m_begin, m_end);
}

void ferry_qdepthwise_s8(const int8_t *input, const int8_t *weights, const int32_t *bias, int8_t *output,
                         int channels, int height, int width, int multiplier,
                         int kernel_h, int kernel_w, int pad_top, int pad_left,
                         int stride_h, int stride_w, int dilation_h, int dilation_w, int out_h, int out_w,
                         int32_t input_offset, int32_t output_offset,
                         const int32_t *multipliers, const int32_t *shifts,
                         int32_t act_min, int32_t act_max, int single_rounding,
                         int channel_begin, int channel_end) {
    for (int m = channel_begin; m < channel_end; ++m) {
        const int c = m / multiplier;
        const int8_t *plane = input + (long)c * height * width;
        const int8_t *w = weights + (long)m * kernel_h * kernel_w;
        int8_t *out = output + (long)m * out_h * out_w;
        const int32_t b = bias ? bias[m] : 0;
        for (int oy = 0; oy < out_h; ++oy) {
            const int iy0 = oy * stride_h - pad_top;
            // Taps inside the image: ky in [ky_lo, ky_hi).
            int ky_lo = 0, ky_hi = kernel_h;
            while (ky_lo < kernel_h && iy0 + ky_lo * dilation_h < 0) ++ky_lo;
            while (ky_hi > ky_lo && iy0 + (ky_hi - 1) * dilation_h >= height) --ky_hi;
            for (int ox = 0; ox < out_w; ++ox) {
                const int ix0 = ox * stride_w - pad_left;
                int kx_lo = 0, kx_hi = kernel_w;
                while (kx_lo < kernel_w && ix0 + kx_lo * dilation_w < 0) ++kx_lo;
                while (kx_hi > kx_lo && ix0 + (kx_hi - 1) * dilation_w >= width) --kx_hi;
                int32_t acc = b;
                for (int ky = ky_lo; ky < ky_hi; ++ky) {
                    const int8_t *row = plane + (long)(iy0 + ky * dilation_h) * width + ix0;
                    const int8_t *wr = w + ky * kernel_w;
                    for (int kx = kx_lo; kx < kx_hi; ++kx) acc += (int32_t)wr[kx] * ((int32_t)row[kx * dilation_w] + input_offset);
                }
                acc = ferry_multiply_by_quantized_multiplier(acc, multipliers[m], shifts[m], single_rounding);
                out[oy * out_w + ox] = clamp_s8(acc + output_offset, act_min, act_max);
            }
        }
    }
}

/* Sums for drift metrics over float pairs, four independent lanes of each sum in double (the
   compiler keeps the lanes in vector registers); lanes are combined in a fixed order, so the
   result does not depend on anything but the data. Returns 1 when a pair holds a NaN or an
   infinity that the caller must handle element by element. */
#define FERRY_PAIR_SUMS_BODY                                                                      \
    double mx[4] = {0, 0, 0, 0}, sa[4] = {0, 0, 0, 0}, dd[4] = {0, 0, 0, 0};                      \
    double rr[4] = {0, 0, 0, 0}, cc[4] = {0, 0, 0, 0}, rc[4] = {0, 0, 0, 0};                      \
    double check = 0;                                                                             \
    long i = 0;                                                                                   \
    for (; i + 4 <= n; i += 4) {                                                                  \
        for (int l = 0; l < 4; ++l) {                                                             \
            const double x = a[i + l], y = b[i + l], d = x - y, e = d < 0 ? -d : d;               \
            mx[l] = e > mx[l] ? e : mx[l];                                                        \
            sa[l] += e; dd[l] += d * d; rr[l] += x * x; cc[l] += y * y; rc[l] += x * y;           \
            check += x * 0 + y * 0;                                                               \
        }                                                                                         \
    }                                                                                             \
    for (; i < n; ++i) {                                                                          \
        const double x = a[i], y = b[i], d = x - y, e = d < 0 ? -d : d;                           \
        mx[0] = e > mx[0] ? e : mx[0];                                                            \
        sa[0] += e; dd[0] += d * d; rr[0] += x * x; cc[0] += y * y; rc[0] += x * y;               \
        check += x * 0 + y * 0;                                                                   \
    }                                                                                             \
    out[0] = mx[0]; for (int l = 1; l < 4; ++l) out[0] = mx[l] > out[0] ? mx[l] : out[0];         \
    out[1] = (sa[0] + sa[1]) + (sa[2] + sa[3]);                                                   \
    out[2] = (dd[0] + dd[1]) + (dd[2] + dd[3]);                                                   \
    out[3] = (rr[0] + rr[1]) + (rr[2] + rr[3]);                                                   \
    out[4] = (cc[0] + cc[1]) + (cc[2] + cc[3]);                                                   \
    out[5] = (rc[0] + rc[1]) + (rc[2] + rc[3]);                                                   \
    return check == 0 ? 0 : 1;

static int pair_sums_generic(const float *a, const float *b, long n, double *out) { FERRY_PAIR_SUMS_BODY }
#if defined(__x86_64__)
__attribute__((target("avx2")))
static int pair_sums_avx2(const float *a, const float *b, long n, double *out) { FERRY_PAIR_SUMS_BODY }
#endif

int ferry_pair_sums(const float *a, const float *b, long n, double *out) {
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx2")) return pair_sums_avx2(a, b, n, out);
#endif
    return pair_sums_generic(a, b, n, out);
}
