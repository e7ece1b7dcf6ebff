// Convolution helpers for the fast float path: im2col feeding ferry_sgemm, and a direct
// depthwise kernel (one filter per channel), whose inner loop runs along a contiguous output row.
#include "include/ferry_kernels.h"
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

FERRY_MULTIVERSION
void ferry_depthwise_conv2d(const float *input, const float *weights, const float *bias,
                            float *output, int c0, int c1, int height, int width,
                            int kernel_h, int kernel_w, int pad_top, int pad_left,
                            int stride_h, int stride_w, int dilation_h, int dilation_w,
                            int out_h, int out_w) {
    for (int c = c0; c < c1; c++) {
        const float *plane = input + (size_t)c * height * width;
        const float *filter = weights + (size_t)c * kernel_h * kernel_w;
        float *out = output + (size_t)c * out_h * out_w;
        float b = bias ? bias[c] : 0.0f;
        for (int oy = 0; oy < out_h; oy++) {
            float *dst = out + (size_t)oy * out_w;
            for (int ox = 0; ox < out_w; ox++) dst[ox] = b;
            for (int kh = 0; kh < kernel_h; kh++) {
                int iy = oy * stride_h - pad_top + kh * dilation_h;
                if (iy < 0 || iy >= height) continue;
                const float *src = plane + (size_t)iy * width;
                if (kernel_w == 3 && dilation_w == 1) {
                    // The common 3-wide window: all three taps in one pass over the row, which
                    // vectorizes for stride 1 and 2 alike; the row's ends take the general path.
                    const float w0 = filter[kh * 3], w1 = filter[kh * 3 + 1], w2 = filter[kh * 3 + 2];
                    int lo = pad_left > 0 ? (pad_left + stride_w - 1) / stride_w : 0;
                    int hi = (width - 3 + pad_left) / stride_w;  // last ox with ix0 + 2 < width
                    if (width < 3) hi = -1;
                    if (hi > out_w - 1) hi = out_w - 1;
                    // Constant strides let the compiler vectorize (stride 2 as an interleaved load).
                    const float *base = src - pad_left;
                    if (stride_w == 1) {
                        for (int ox = lo; ox <= hi; ox++)
                            dst[ox] += w0 * base[ox] + w1 * base[ox + 1] + w2 * base[ox + 2];
                    } else if (stride_w == 2) {
                        for (int ox = lo; ox <= hi; ox++)
                            dst[ox] += w0 * base[2 * ox] + w1 * base[2 * ox + 1] + w2 * base[2 * ox + 2];
                    } else {
                        for (int ox = lo; ox <= hi; ox++) {
                            const float *p = base + ox * stride_w;
                            dst[ox] += w0 * p[0] + w1 * p[1] + w2 * p[2];
                        }
                    }
                    for (int ox = 0; ox < out_w; ox++) {
                        if (ox >= lo && ox <= hi) { ox = hi; continue; }
                        int ix0 = ox * stride_w - pad_left;
                        float sum = 0.0f;
                        for (int kw = 0; kw < 3; kw++) {
                            int ix = ix0 + kw;
                            if (ix >= 0 && ix < width) sum += filter[kh * 3 + kw] * src[ix];
                        }
                        dst[ox] += sum;
                    }
                    continue;
                }
                for (int kw = 0; kw < kernel_w; kw++) {
                    float w = filter[kh * kernel_w + kw];
                    int off = kw * dilation_w - pad_left;
                    // Output columns whose input column lies inside the row.
                    int lo = off < 0 ? (-off + stride_w - 1) / stride_w : 0;
                    int hi_num = width - 1 - off;
                    int hi = hi_num < 0 ? -1 : hi_num / stride_w;
                    if (hi > out_w - 1) hi = out_w - 1;
                    if (stride_w == 1) {
                        const float *s = src + off;
                        for (int ox = lo; ox <= hi; ox++) dst[ox] += w * s[ox];
                    } else {
                        for (int ox = lo; ox <= hi; ox++) dst[ox] += w * src[ox * stride_w + off];
                    }
                }
            }
        }
    }
}
