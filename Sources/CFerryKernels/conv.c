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

FERRY_MULTIVERSION
void ferry_depthwise_conv2d(const float *input, const float *weights, const float *bias,
                            float *output, int c0, int c1, int height, int width,
                            int kernel_h, int kernel_w, int pad_top, int pad_left,
                            int stride_h, int stride_w, int dilation_h, int dilation_w,
                            int out_h, int out_w) {
    // Each channel plane is copied once into a zero-padded buffer covering every tap.
    int padded_h = (out_h - 1) * stride_h + (kernel_h - 1) * dilation_h + 1;
    int padded_w = (out_w - 1) * stride_w + (kernel_w - 1) * dilation_w + 1;
    if (padded_h < 1 || padded_w < 1 || out_h < 1 || out_w < 1) {
        for (int c = c0; c < c1; c++)
            for (int i = 0; i < out_h * out_w; i++) output[(size_t)c * out_h * out_w + i] = bias ? bias[c] : 0.0f;
        return;
    }
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
        float *out = output + (size_t)c * out_h * out_w;
        float b = bias ? bias[c] : 0.0f;
        if (kernel_h == 3 && kernel_w == 3 && dilation_h == 1 && dilation_w == 1 && (stride_w == 1 || stride_w == 2)) {
            // 3×3 (most mobile models): the three kernel rows in one pass over the output row,
            // added in the same order as the general loop below (bias, row 0, row 1, row 2).
            const float f0 = filter[0], f1 = filter[1], f2 = filter[2], f3 = filter[3], f4 = filter[4];
            const float f5 = filter[5], f6 = filter[6], f7 = filter[7], f8 = filter[8];
            for (int oy = 0; oy < out_h; oy++) {
                float *dst = out + (size_t)oy * out_w;
                const float *r0 = padded + (size_t)(oy * stride_h) * padded_w;
                const float *r1 = r0 + padded_w, *r2 = r1 + padded_w;
                if (stride_w == 1) {
                    for (int ox = 0; ox < out_w; ox++) {
                        float acc = b;
                        acc += f0 * r0[ox] + f1 * r0[ox + 1] + f2 * r0[ox + 2];
                        acc += f3 * r1[ox] + f4 * r1[ox + 1] + f5 * r1[ox + 2];
                        acc += f6 * r2[ox] + f7 * r2[ox + 1] + f8 * r2[ox + 2];
                        dst[ox] = acc;
                    }
                } else {
                    for (int ox = 0; ox < out_w; ox++) {
                        float acc = b;
                        acc += f0 * r0[2 * ox] + f1 * r0[2 * ox + 1] + f2 * r0[2 * ox + 2];
                        acc += f3 * r1[2 * ox] + f4 * r1[2 * ox + 1] + f5 * r1[2 * ox + 2];
                        acc += f6 * r2[2 * ox] + f7 * r2[2 * ox + 1] + f8 * r2[2 * ox + 2];
                        dst[ox] = acc;
                    }
                }
            }
            continue;
        }
        for (int oy = 0; oy < out_h; oy++) {
            float *dst = out + (size_t)oy * out_w;
            for (int ox = 0; ox < out_w; ox++) dst[ox] = b;
            for (int kh = 0; kh < kernel_h; kh++) {
                const float *src = padded + (size_t)(oy * stride_h + kh * dilation_h) * padded_w;
                depthwise_row(dst, src, filter + kh * kernel_w, kernel_w, stride_w, dilation_w, out_w);
            }
        }
    }
    free(padded);
}
