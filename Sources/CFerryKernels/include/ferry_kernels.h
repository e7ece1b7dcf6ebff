#ifndef FERRY_KERNELS_H
#define FERRY_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/// C = A·B (+ C when accumulate != 0), row-major float32.
/// A is M×K with row stride lda, B is K×N with row stride ldb, C is M×N with row stride ldc.
/// Each element of C is reduced over K in a fixed order, independent of how callers split M or N.
void ferry_sgemm(int M, int N, int K, const float *A, int lda, const float *B, int ldb,
                 float *C, int ldc, int accumulate);

/// As ferry_sgemm, with B given transposed: B is N×K with row stride ldb (B[k][j] = Bt[j·ldb + k]).
void ferry_sgemm_bt(int M, int N, int K, const float *A, int lda, const float *Bt, int ldb,
                    float *C, int ldc, int accumulate);

/// c[j] = Σ_k a[k]·Bt[j·ldb + k] for j in [0, N): a row vector times a transposed matrix (a
/// Linear layer on one sample), summed in eight fixed lanes so every machine gets the same bits.
void ferry_sgemv_bt(int N, int K, const float *a, const float *Bt, int ldb, float *c);

/// Floats needed to hold A (M×K) packed for ferry_sgemm_prepacked.
size_t ferry_sgemm_packed_size(int M, int K);

/// Packs A (M×K, row stride lda) once, e.g. a layer's weights at load time.
void ferry_sgemm_pack(int M, int K, const float *A, int lda, float *packed);

/// As ferry_sgemm with A given packed by ferry_sgemm_pack: same sums in the same order.
void ferry_sgemm_prepacked(int M, int N, int K, const float *packed_a, const float *B, int ldb,
                           float *C, int ldc, int accumulate);

/// Rows per block of a packed A: a caller splitting rows across threads hands each a range of
/// whole blocks [block0, block1) (block b holds rows [b·FERRY_SGEMM_ROW_BLOCK, …)).
enum { FERRY_SGEMM_ROW_BLOCK = 72 };

/// C = bias + A·B for the rows of packed A's row blocks [block0, block1), each row i starting
/// from bias[i] (nullable: from 0) and, with clamp != 0, limited to [lo, hi] as
/// min(max(x, lo), hi) in Swift's operand order: the same bits as filling C with the bias,
/// accumulating ferry_sgemm_prepacked and clamping afterwards, in one pass over C.
void ferry_sgemm_prepacked_bias(int M, int N, int K, const float *packed_a, const float *B, int ldb,
                                float *C, int ldc, const float *bias, int clamp, float lo, float hi,
                                int block0, int block1);

/// As ferry_sgemm_prepacked_bias, then each value quantized and dequantized in place as
/// ferry_fake_quantize_f32(fake_quantize[0..3]: scale, zero point, low, high) does, block by
/// block as the blocks are finished (while they are in cache): the bits of the two calls.
void ferry_sgemm_prepacked_bias_fq(int M, int N, int K, const float *packed_a, const float *B, int ldb,
                                   float *C, int ldc, const float *bias, int clamp, float lo, float hi,
                                   int block0, int block1, const float *fake_quantize);

/// Whether ferry_sgemm uses the AVX2/FMA micro-kernel on this machine (for reports and tests).
int ferry_sgemm_uses_avx2(void);

/// Forces the portable micro-kernel (1) or automatic choice (0); for tests comparing both.
void ferry_sgemm_force_portable(int portable);

/// im2col for one image of a 2-D convolution: input C×H×W to rows (C·KH·KW)×(OH·OW), zeros
/// where the window reaches into padding.
void ferry_im2col(const float *input, int channels, int height, int width,
                  int kernel_h, int kernel_w, int pad_top, int pad_left,
                  int stride_h, int stride_w, int dilation_h, int dilation_w,
                  int out_h, int out_w, float *columns);

/// Depthwise 2-D convolution of channels [c0, c1) of one image: each channel has its own
/// KH×KW filter (weights laid out C×KH×KW) and optional bias; with clamp != 0 each output is
/// then limited to [lo, hi] as ferry_clip_f32 does.
void ferry_depthwise_conv2d(const float *input, const float *weights, const float *bias,
                            float *output, int c0, int c1, int height, int width,
                            int kernel_h, int kernel_w, int pad_top, int pad_left,
                            int stride_h, int stride_w, int dilation_h, int dilation_w,
                            int out_h, int out_w, int clamp, float lo, float hi);

/// Float32 arithmetic of one broadcast row: out[i] = a[i·sa] op b[i·sb], sa and sb 0 or 1.
enum { FERRY_BINARY_ADD = 0, FERRY_BINARY_SUB = 1, FERRY_BINARY_MUL = 2, FERRY_BINARY_DIV = 3 };
void ferry_binary_f32(int op, const float *a, long sa, const float *b, long sb, float *out, long n);
/* out[i] = min(max(x[i], lo), hi) in Swift's operand order (NaN propagates). */
void ferry_clip_f32(const float *x, float *out, long n, float lo, float hi);

/// Per-tensor dequantization: y[i] = (float)(x[i] − zero) · scale.
void ferry_dequantize_s8_f32(const int8_t *x, float *y, long n, int zero, float scale);
void ferry_dequantize_u8_f32(const uint8_t *x, float *y, long n, int zero, float scale);
void ferry_dequantize_s16_f32(const int16_t *x, float *y, long n, int zero, float scale);
void ferry_dequantize_u16_f32(const uint16_t *x, float *y, long n, int zero, float scale);

#include "ferry_qkernels.h"

#endif
