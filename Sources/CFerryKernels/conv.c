// Convolution helpers for the fast float path: im2col feeding ferry_sgemm, and a direct
// depthwise kernel (one filter per channel), whose inner loop runs along a contiguous output row.
#include "include/ferry_kernels.h"
#include <stdlib.h>
#include <string.h>

// An AVX2 clone chosen at load time where the processor has it (x86-64 Linux). Floating-point
// contraction is off for this file, so both clones compute bit-identical results.
#if defined(__x86_64__) && defined(__linux__)
#define FERRY_MULTIVERSION __attribute__((target_clones("avx2", "default")))
#else
#define FERRY_MULTIVERSION
#endif

FERRY_MULTIVERSION
void ferry_im2col(const float *input, int channels, int height, int width,
                  int kernel_h, int kernel_w, int pad_top, int pad_left,
                  int stride_h, int stride_w, int dilation_h, int dilation_w,
                  int out_h, int out_w, float *columns) {
    for (int c = 0; c < channels; c++) {
        const float *plane = input + (size_t)c * height * width;
        for (int kh = 0; kh < kernel_h; kh++) {
            for (int kw = 0; kw < kernel_w; kw++) {
                float *row = columns + ((size_t)(c * kernel_h + kh) * kernel_w + kw) * out_h * out_w;
                for (int oy = 0; oy < out_h; oy++) {
                    int iy = oy * stride_h - pad_top + kh * dilation_h;
                    float *dst = row + (size_t)oy * out_w;
                    if (iy < 0 || iy >= height) { memset(dst, 0, sizeof(float) * out_w); continue; }
                    const float *src = plane + (size_t)iy * width;
                    int ix0 = -pad_left + kw * dilation_w;
                    if (stride_w == 1) {
                        for (int ox = 0; ox < out_w; ox++) {
                            int ix = ix0 + ox;
                            dst[ox] = (ix >= 0 && ix < width) ? src[ix] : 0.0f;
                        }
                    } else {
                        for (int ox = 0; ox < out_w; ox++) {
                            int ix = ix0 + ox * stride_w;
                            dst[ox] = (ix >= 0 && ix < width) ? src[ix] : 0.0f;
                        }
                    }
                }
            }
        }
    }
}

// Taps of one output row from a zero-padded input row: no bounds checks, constant strides
// for the common windows so the loops vectorize. Sums run in tap order for every width.
__attribute__((always_inline)) static inline void depthwise_row(float *dst, const float *src, const float *f, int kernel_w,
                                 int stride_w, int dilation_w, int out_w) {
    if (dilation_w == 1 && kernel_w == 3 && stride_w == 1) {
        for (int ox = 0; ox < out_w; ox++) dst[ox] += f[0] * src[ox] + f[1] * src[ox + 1] + f[2] * src[ox + 2];
    } else if (dilation_w == 1 && kernel_w == 3 && stride_w == 2) {
        for (int ox = 0; ox < out_w; ox++) dst[ox] += f[0] * src[2 * ox] + f[1] * src[2 * ox + 1] + f[2] * src[2 * ox + 2];
    } else if (dilation_w == 1 && kernel_w == 5 && stride_w == 1) {
        for (int ox = 0; ox < out_w; ox++)
            dst[ox] += f[0] * src[ox] + f[1] * src[ox + 1] + f[2] * src[ox + 2] + f[3] * src[ox + 3] + f[4] * src[ox + 4];
    } else if (dilation_w == 1 && kernel_w == 5 && stride_w == 2) {
        for (int ox = 0; ox < out_w; ox++)
            dst[ox] += f[0] * src[2 * ox] + f[1] * src[2 * ox + 1] + f[2] * src[2 * ox + 2] + f[3] * src[2 * ox + 3] + f[4] * src[2 * ox + 4];
    } else {
        for (int ox = 0; ox < out_w; ox++) {
            float sum = 0.0f;
            for (int kw = 0; kw < kernel_w; kw++) sum += f[kw] * src[ox * stride_w + kw * dilation_w];
            dst[ox] += sum;
        }
    }
}

// One output of a 3×3 window (weights f0…f8 and bias b in scope) in the order the general loop
// adds it: bias, then kernel rows 0, 1, 2, each left to right. Taps outside the image are 0.0f
// and still multiplied in (an infinite weight times a padding zero is NaN).
#define DW3_SUM(a0, a1, a2, b0, b1, b2, c0, c1, c2)                                        \
    (b + (f0 * (a0) + f1 * (a1) + f2 * (a2)) + (f3 * (b0) + f4 * (b1) + f5 * (b2)) +      \
     (f6 * (c0) + f7 * (c1) + f8 * (c2)))

static inline void clamp_rows(float *p, long n, float lo, float hi) {
    for (long i = 0; i < n; i++) {
        float v = p[i];
        v = lo >= v ? lo : v;
        p[i] = hi < v ? hi : v;
    }
}

// A 3×3 output whose taps may fall outside the row (x its first tap's column).
static inline float dw3_checked(const float *r0, const float *r1, const float *r2, int x, int width,
                                const float *f, float b) {
    const float f0 = f[0], f1 = f[1], f2 = f[2], f3 = f[3], f4 = f[4], f5 = f[5], f6 = f[6], f7 = f[7], f8 = f[8];
#define TAP(r, i) (x + (i) >= 0 && x + (i) < width ? (r)[x + (i)] : 0.0f)
    return DW3_SUM(TAP(r0, 0), TAP(r0, 1), TAP(r0, 2), TAP(r1, 0), TAP(r1, 1), TAP(r1, 2), TAP(r2, 0), TAP(r2, 1), TAP(r2, 2));
#undef TAP
}

// The input rows of output row oy: rows above or below the image read as `zero`, zeros at
// least as long as a row.
static inline void dw3_rows(const float *plane, const float *zero, int oy, int height, int width,
                            int pad_top, int stride_h, const float *r[3]) {
    for (int k = 0; k < 3; k++) {
        int iy = oy * stride_h - pad_top + k;
        r[k] = iy >= 0 && iy < height ? plane + (size_t)iy * width : zero;
    }
}

// 3×3, dilation 1, stride_w 1 or 2, straight from the image: only the output columns outside
// [x0, x1) have taps outside their rows and check them.
static void depthwise3x3(const float *input, const float *weights, const float *bias, float *output,
                         int c0, int c1, int height, int width, int pad_top, int pad_left,
                         int stride_h, int stride_w, int out_h, int out_w, int clamp, float lo, float hi,
                         const float *zero) {
    int x0 = (pad_left + stride_w - 1) / stride_w;
    int x1 = width - 3 + pad_left < 0 ? 0 : (width - 3 + pad_left) / stride_w + 1;
    if (x0 > out_w) x0 = out_w;
    if (x1 > out_w) x1 = out_w;
    if (x1 < x0) x1 = x0;
    for (int c = c0; c < c1; c++) {
        const float *plane = input + (size_t)c * height * width, *f = weights + (size_t)c * 9;
        const float f0 = f[0], f1 = f[1], f2 = f[2], f3 = f[3], f4 = f[4], f5 = f[5], f6 = f[6], f7 = f[7], f8 = f[8];
        const float b = bias ? bias[c] : 0.0f;
        for (int oy = 0; oy < out_h; oy++) {
            const float *r[3];
            dw3_rows(plane, zero, oy, height, width, pad_top, stride_h, r);
            float *dst = output + ((size_t)c * out_h + oy) * out_w;
            for (int ox = 0; ox < x0; ox++) dst[ox] = dw3_checked(r[0], r[1], r[2], ox * stride_w - pad_left, width, f, b);
            const float *p0 = r[0], *p1 = r[1], *p2 = r[2];
            if (stride_w == 1) {
                for (int ox = x0, x = x0 - pad_left; ox < x1; ox++, x++)
                    dst[ox] = DW3_SUM(p0[x], p0[x + 1], p0[x + 2], p1[x], p1[x + 1], p1[x + 2], p2[x], p2[x + 1], p2[x + 2]);
            } else {
                for (int ox = x0, x = 2 * x0 - pad_left; ox < x1; ox++, x += 2)
                    dst[ox] = DW3_SUM(p0[x], p0[x + 1], p0[x + 2], p1[x], p1[x + 1], p1[x + 2], p2[x], p2[x + 1], p2[x + 2]);
            }
            for (int ox = x1; ox < out_w; ox++) dst[ox] = dw3_checked(r[0], r[1], r[2], ox * stride_w - pad_left, width, f, b);
            if (clamp) clamp_rows(dst, out_w, lo, hi);
        }
    }
}

#if defined(__x86_64__) && defined(__linux__)
#include <immintrin.h>
#define DW3_AVX2 __attribute__((target("avx2")))

// Where a block's loads start, relative to its first tap column: stride 1 loads the three taps
// of 8 outputs as they are; stride 2 loads 16 columns from 0 and from 2 and keeps the even (and
// odd) ones within each 128-bit half, which leaves output j in lane {0,1,4,5,2,3,6,7}[j].
static const int dw3_load_at[2][4] = {{0, 1, 2, 2}, {0, 8, 2, 10}};

// How a block reads its taps: inside the row; reaching past it where the memory is readable,
// so that whole vectors load and the column masks clear the padding to 0.0f; or reaching past
// the buffer itself, where only masked loads may go.
enum { DW3_INSIDE, DW3_CLEAR, DW3_MASKED };

// 8 outputs (in the lane order above) from rows r, the first tap at column x; `mask` holds a
// column mask per load.
DW3_AVX2 __attribute__((always_inline)) static inline __m256 dw3_block(const float *const r[3], int x, int stride_w,
                                                                       int mode, const int32_t *mask,
                                                                       const __m256 f[9], __m256 b) {
    const int *at = dw3_load_at[stride_w - 1];
    __m256 s[3];
    for (int k = 0; k < 3; k++) {
        const float *p = r[k] + x;
        __m256 v[4], t[3];
        for (int i = 0; i < (stride_w == 1 ? 3 : 4); i++) {
#define MASK _mm256_loadu_si256((const __m256i *)(mask + 8 * i))
            v[i] = mode == DW3_INSIDE ? _mm256_loadu_ps(p + at[i])
                   : mode == DW3_CLEAR ? _mm256_and_ps(_mm256_loadu_ps(p + at[i]), _mm256_castsi256_ps(MASK))
                                       : _mm256_maskload_ps(p + at[i], MASK);
#undef MASK
        }
        if (stride_w == 1) {
            t[0] = v[0], t[1] = v[1], t[2] = v[2];
        } else {
            t[0] = _mm256_shuffle_ps(v[0], v[1], 0x88), t[1] = _mm256_shuffle_ps(v[0], v[1], 0xdd);
            t[2] = _mm256_shuffle_ps(v[2], v[3], 0x88);
        }
        s[k] = _mm256_add_ps(_mm256_add_ps(_mm256_mul_ps(f[3 * k], t[0]), _mm256_mul_ps(f[3 * k + 1], t[1])),
                             _mm256_mul_ps(f[3 * k + 2], t[2]));
    }
    __m256 acc = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(b, s[0]), s[1]), s[2]);
    return stride_w == 1 ? acc : _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(acc), 0xd8));
}

DW3_AVX2 __attribute__((always_inline)) static inline __m256 dw3_clamp(__m256 v, int clamp, __m256 lo, __m256 hi) {
    if (!clamp) return v;
    v = _mm256_blendv_ps(v, lo, _mm256_cmp_ps(lo, v, _CMP_GE_OQ));
    return _mm256_blendv_ps(v, hi, _mm256_cmp_ps(hi, v, _CMP_LT_OQ));
}

// depthwise3x3 by blocks of 8 outputs. The zero row is readable wherever a block's loads
// reach; `masks` has room for 32 per block.
DW3_AVX2 __attribute__((always_inline)) static inline void dw3_avx2_blocks(
    const float *input, const float *weights, const float *bias, float *output, int c0, int c1, int height,
    int width, int pad_top, int pad_left, int stride_h, int stride_w, int out_h, int out_w, int clamp, float lo,
    float hi, const float *zero, int32_t *masks) {
    int blocks = (out_w + 7) / 8, span = stride_w == 1 ? 10 : 18;
    for (int j = 0; j < blocks; j++)
        for (int k = 0; k < 4; k++)
            for (int i = 0; i < 8; i++) {
                int col = 8 * j * stride_w - pad_left + dw3_load_at[stride_w - 1][k] + i;
                masks[32 * j + 8 * k + i] = col >= 0 && col < width ? -1 : 0;
            }
    // Every load of a row lies in [row − pad_left, row + reach), and the image ends at `size`.
    long reach = 8L * (blocks - 1) * stride_w - pad_left + span, plane_size = (long)height * width, size = c1 * plane_size;
    // A short last block may store past its row: what follows is rewritten later, except at
    // the end of these channels.
    const float *end = output + (size_t)c1 * out_h * out_w;
    const __m256 vlo = _mm256_set1_ps(lo), vhi = _mm256_set1_ps(hi);
    for (int c = c0; c < c1; c++) {
        const float *plane = input + c * plane_size, *w = weights + (size_t)c * 9;
        int edge = c * plane_size >= pad_left && c * plane_size + plane_size - width + reach <= size ? DW3_CLEAR : DW3_MASKED;
        __m256 f[9];
        for (int k = 0; k < 9; k++) f[k] = _mm256_set1_ps(w[k]);
        const __m256 b = _mm256_set1_ps(bias ? bias[c] : 0.0f);
        for (int oy = 0; oy < out_h; oy++) {
            const float *r[3];
            dw3_rows(plane, zero, oy, height, width, pad_top, stride_h, r);
            float *dst = output + ((size_t)c * out_h + oy) * out_w;
            for (int j = 0; j < blocks; j++) {
                int ox = 8 * j, x = ox * stride_w - pad_left;
                __m256 v = x >= 0 && x + span <= width ? dw3_block(r, x, stride_w, DW3_INSIDE, NULL, f, b)
                           : edge == DW3_CLEAR         ? dw3_block(r, x, stride_w, DW3_CLEAR, masks + 32 * j, f, b)
                                                       : dw3_block(r, x, stride_w, DW3_MASKED, masks + 32 * j, f, b);
                v = dw3_clamp(v, clamp, vlo, vhi);
                if (ox + 8 <= out_w || dst + ox + 8 <= end) {
                    _mm256_storeu_ps(dst + ox, v);
                } else {
                    float tail[8];
                    _mm256_storeu_ps(tail, v);
                    memcpy(dst + ox, tail, sizeof(float) * (out_w - ox));
                }
            }
        }
    }
}

DW3_AVX2 static void depthwise3x3_avx2(const float *input, const float *weights, const float *bias, float *output,
                                       int c0, int c1, int height, int width, int pad_top, int pad_left,
                                       int stride_h, int stride_w, int out_h, int out_w, int clamp, float lo,
                                       float hi, const float *zero, int32_t *masks) {
    if (stride_w == 1)
        dw3_avx2_blocks(input, weights, bias, output, c0, c1, height, width, pad_top, pad_left, stride_h, 1, out_h,
                        out_w, clamp, lo, hi, zero, masks);
    else
        dw3_avx2_blocks(input, weights, bias, output, c0, c1, height, width, pad_top, pad_left, stride_h, 2, out_h,
                        out_w, clamp, lo, hi, zero, masks);
}
#endif

// Every other window: each channel plane is copied once into a zero-padded buffer covering
// every tap, so the rows need no bounds checks.
FERRY_MULTIVERSION
static void depthwise_padded(const float *input, const float *weights, const float *bias,
                             float *output, int c0, int c1, int height, int width,
                             int kernel_h, int kernel_w, int pad_top, int pad_left,
                             int stride_h, int stride_w, int dilation_h, int dilation_w,
                             int out_h, int out_w, int clamp, float lo, float hi) {
    int padded_h = (out_h - 1) * stride_h + (kernel_h - 1) * dilation_h + 1;
    int padded_w = (out_w - 1) * stride_w + (kernel_w - 1) * dilation_w + 1;
    size_t plane_out = (size_t)out_h * out_w;
    float *padded = malloc(sizeof(float) * (size_t)padded_h * padded_w);
    for (int c = c0; c < c1; c++) {
        const float *plane = input + (size_t)c * height * width;
        for (int py = 0; py < padded_h; py++) {
            float *row = padded + (size_t)py * padded_w;
            int iy = py - pad_top;
            if (iy < 0 || iy >= height) { memset(row, 0, sizeof(float) * padded_w); continue; }
            const float *src = plane + (size_t)iy * width;
            // Zero left margin, the row itself (as far as the window reaches), zero right margin.
            int left = pad_left < padded_w ? pad_left : padded_w;
            int copy = width < padded_w - left ? width : padded_w - left;
            if (copy < 0) copy = 0;
            memset(row, 0, sizeof(float) * left);
            memcpy(row + left, src, sizeof(float) * copy);
            memset(row + left + copy, 0, sizeof(float) * (padded_w - left - copy));
        }
        const float *filter = weights + (size_t)c * kernel_h * kernel_w;
        float *out = output + (size_t)c * plane_out;
        float b = bias ? bias[c] : 0.0f;
        for (int oy = 0; oy < out_h; oy++) {
            float *dst = out + (size_t)oy * out_w;
            for (int ox = 0; ox < out_w; ox++) dst[ox] = b;
            for (int kh = 0; kh < kernel_h; kh++) {
                const float *src = padded + (size_t)(oy * stride_h + kh * dilation_h) * padded_w;
                depthwise_row(dst, src, filter + kh * kernel_w, kernel_w, stride_w, dilation_w, out_w);
            }
        }
        if (clamp) clamp_rows(out, (long)plane_out, lo, hi);
    }
    free(padded);
}

void ferry_depthwise_conv2d(const float *input, const float *weights, const float *bias,
                            float *output, int c0, int c1, int height, int width,
                            int kernel_h, int kernel_w, int pad_top, int pad_left,
                            int stride_h, int stride_w, int dilation_h, int dilation_w,
                            int out_h, int out_w, int clamp, float lo, float hi) {
    if (out_h < 1 || out_w < 1 || c1 <= c0) return;
    if (kernel_h != 3 || kernel_w != 3 || dilation_h != 1 || dilation_w != 1 || stride_w > 2) {
        depthwise_padded(input, weights, bias, output, c0, c1, height, width, kernel_h, kernel_w, pad_top, pad_left,
                         stride_h, stride_w, dilation_h, dilation_w, out_h, out_w, clamp, lo, hi);
        return;
    }
    // One allocation: the zero row, as long as the AVX2 path's block loads reach on either side
    // of it, then that path's column masks.
    int blocks = (out_w + 7) / 8, zero_w = 8 * blocks * stride_w + 18 > width ? 8 * blocks * stride_w + 18 : width;
    float *zero_row = calloc((size_t)pad_left + zero_w + 32 * (size_t)blocks, sizeof(float));
    const float *zero = zero_row + pad_left;
#if defined(__x86_64__) && defined(__linux__)
    if (__builtin_cpu_supports("avx2")) {
        depthwise3x3_avx2(input, weights, bias, output, c0, c1, height, width, pad_top, pad_left, stride_h, stride_w,
                          out_h, out_w, clamp, lo, hi, zero, (int32_t *)(zero + zero_w));
        free(zero_row);
        return;
    }
#endif
    depthwise3x3(input, weights, bias, output, c0, c1, height, width, pad_top, pad_left, stride_h, stride_w, out_h,
                 out_w, clamp, lo, hi, zero);
    free(zero_row);
}
