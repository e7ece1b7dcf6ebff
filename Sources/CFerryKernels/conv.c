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

// One output row of a 3×3 window, dilation 1: rows r0..r2 hold the taps contiguously (for
// stride 2, e0/o0 are the even and odd columns of a padded row). The sums run as the general
// loop adds them: bias, then kernel row 0, 1, 2, each row left to right.
#define DW3_SUM(i, a0, a1, a2, b0, b1, b2, c0, c1, c2)                                    \
    do {                                                                                  \
        float acc = b;                                                                    \
        acc += f0 * (a0) + f1 * (a1) + f2 * (a2);                                         \
        acc += f3 * (b0) + f4 * (b1) + f5 * (b2);                                         \
        acc += f6 * (c0) + f7 * (c1) + f8 * (c2);                                         \
        dst[i] = acc;                                                                     \
    } while (0)

static inline void clamp_rows(float *p, long n, float lo, float hi) {
    for (long i = 0; i < n; i++) {
        float v = p[i];
        v = lo >= v ? lo : v;
        p[i] = hi < v ? hi : v;
    }
}

// Narrow rows leave an 8-lane loop mostly remainder, so below this width the 3×3 kernels run
// one flat loop over the whole padded plane and copy the valid columns out.
#define DW_FLAT_WIDTH 32

FERRY_MULTIVERSION
void ferry_depthwise_conv2d(const float *input, const float *weights, const float *bias,
                            float *output, int c0, int c1, int height, int width,
                            int kernel_h, int kernel_w, int pad_top, int pad_left,
                            int stride_h, int stride_w, int dilation_h, int dilation_w,
                            int out_h, int out_w, int clamp, float lo, float hi) {
    // Each channel plane is copied once into a zero-padded buffer covering every tap.
    int padded_h = (out_h - 1) * stride_h + (kernel_h - 1) * dilation_h + 1;
    int padded_w = (out_w - 1) * stride_w + (kernel_w - 1) * dilation_w + 1;
    size_t plane_out = (size_t)out_h * out_w;
    if (padded_h < 1 || padded_w < 1 || out_h < 1 || out_w < 1) {
        for (int c = c0; c < c1; c++)
            for (size_t i = 0; i < plane_out; i++) output[(size_t)c * plane_out + i] = bias ? bias[c] : 0.0f;
        if (clamp) clamp_rows(output + (size_t)c0 * plane_out, (long)(c1 - c0) * (long)plane_out, lo, hi);
        return;
    }
    int three = kernel_h == 3 && kernel_w == 3 && dilation_h == 1 && dilation_w == 1 && (stride_w == 1 || stride_w == 2);
    int split = three && stride_w == 2;
    // Stride 2 keeps each padded row as its even columns then its odd columns (q each), so
    // every tap of an output row is a contiguous run.
    int q = out_w + 1;
    int row_w = split ? 2 * q : padded_w;
    // (Not for stride 2: running flat over every other padded row, both column halves, makes
    // four times the outputs, which costs more than short rows do.)
    int flat = three && !split && out_w < DW_FLAT_WIDTH;
    // Slack past the last row: the flat loops read up to stride_h + 2 rows beyond the last
    // padded row (positions past a row's last output still read their taps).
    size_t padded_size = (size_t)(padded_h + stride_h + 2) * row_w + 8;
    size_t flat_size = flat ? (size_t)(stride_h * out_h + 1) * row_w : 0;
    float *padded = malloc(sizeof(float) * (padded_size + flat_size + (split ? 2 * (size_t)q : 0)));
    float *scratch = padded + padded_size;
    float *line = scratch + flat_size;
    memset(padded + (size_t)padded_h * row_w, 0, sizeof(float) * (padded_size - (size_t)padded_h * row_w));
    for (int c = c0; c < c1; c++) {
        const float *plane = input + (size_t)c * height * width;
        for (int py = 0; py < padded_h; py++) {
            float *row = padded + (size_t)py * row_w;
            int iy = py - pad_top;
            if (iy < 0 || iy >= height) { memset(row, 0, sizeof(float) * row_w); continue; }
            const float *src = plane + (size_t)iy * width;
            if (split) {
                // The zero-padded row in `line`, then its even and odd columns apart (a loop
                // without branches, which vectorizes).
                int left = pad_left < 2 * q ? pad_left : 2 * q;
                int copy = width < 2 * q - left ? width : 2 * q - left;
                if (copy < 0) copy = 0;
                memset(line, 0, sizeof(float) * left);
                memcpy(line + left, src, sizeof(float) * copy);
                memset(line + left + copy, 0, sizeof(float) * (2 * q - left - copy));
                float *even = row, *odd = row + q;
                for (int j = 0; j < q; j++) {
                    even[j] = line[2 * j];
                    odd[j] = line[2 * j + 1];
                }
                continue;
            }
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
        if (three) {
            const float f0 = filter[0], f1 = filter[1], f2 = filter[2], f3 = filter[3], f4 = filter[4];
            const float f5 = filter[5], f6 = filter[6], f7 = filter[7], f8 = filter[8];
            // Row stride of the padded rows an output row steps over, and where its taps start.
            long step = (long)stride_h * row_w;
            if (flat) {
                // Every position of the padded rows [0, stride_h·out_h) as if it started an
                // output row (stride 1 across); output row oy is the run at oy·step.
                float *dst = scratch;
                long n = (long)out_h * step;
                const float *r0 = padded, *r1 = padded + row_w, *r2 = padded + 2 * row_w;
                for (long i = 0; i < n; i++)
                    DW3_SUM(i, r0[i], r0[i + 1], r0[i + 2], r1[i], r1[i + 1], r1[i + 2], r2[i], r2[i + 1], r2[i + 2]);
                for (int oy = 0; oy < out_h; oy++) memcpy(out + (size_t)oy * out_w, scratch + oy * step, sizeof(float) * out_w);
            } else {
                for (int oy = 0; oy < out_h; oy++) {
                    float *dst = out + (size_t)oy * out_w;
                    const float *r0 = padded + oy * step, *r1 = r0 + row_w, *r2 = r1 + row_w;
                    if (split) {
                        const float *o0 = r0 + q, *o1 = r1 + q, *o2 = r2 + q;
                        for (int ox = 0; ox < out_w; ox++)
                            DW3_SUM(ox, r0[ox], o0[ox], r0[ox + 1], r1[ox], o1[ox], r1[ox + 1], r2[ox], o2[ox], r2[ox + 1]);
                    } else {
                        for (int ox = 0; ox < out_w; ox++)
                            DW3_SUM(ox, r0[ox], r0[ox + 1], r0[ox + 2], r1[ox], r1[ox + 1], r1[ox + 2], r2[ox], r2[ox + 1], r2[ox + 2]);
                    }
                }
            }
        } else {
            for (int oy = 0; oy < out_h; oy++) {
                float *dst = out + (size_t)oy * out_w;
                for (int ox = 0; ox < out_w; ox++) dst[ox] = b;
                for (int kh = 0; kh < kernel_h; kh++) {
                    const float *src = padded + (size_t)(oy * stride_h + kh * dilation_h) * padded_w;
                    depthwise_row(dst, src, filter + kh * kernel_w, kernel_w, stride_w, dilation_w, out_w);
                }
            }
        }
        if (clamp) clamp_rows(out, (long)plane_out, lo, hi);
    }
    free(padded);
}
