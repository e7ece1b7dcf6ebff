#ifndef FERRY_QKERNELS_H
#define FERRY_QKERNELS_H

#include <stdint.h>

/* Integer kernels computing exactly as TensorFlow Lite's reference integer kernels do.
   `single_rounding` selects TFLite's TFLITE_SINGLE_ROUNDING requantization (one rounding of a
   64-bit product); otherwise the gemmlowp double rounding (SaturatingRoundingDoublingHighMul,
   then RoundingDivideByPOT). */

/* TFLite's QuantizeMultiplier: a real multiplier as a Q31 fixed-point value and a shift. */
void ferry_quantize_multiplier(double real, int32_t *multiplier, int *shift, int single_rounding);

/* MultiplyByQuantizedMultiplier for a 32-bit accumulator. */
int32_t ferry_multiply_by_quantized_multiplier(int32_t x, int32_t multiplier, int shift, int single_rounding);

/* MultiplyByQuantizedMultiplier for a 64-bit accumulator (16x8 kernels). */
int32_t ferry_multiply_by_quantized_multiplier64(int64_t x, int32_t multiplier, int shift);

/* Per-channel int8 2-D convolution (NCHW input, M x C/group x KH x KW weights) for output
   channels [channel_begin, channel_end) of one image. Padding reads as the input zero point
   (contributes nothing), as TFLite skips points outside the image. */
void ferry_qconv2d_s8(const int8_t *input, const int8_t *weights, const int32_t *bias, int8_t *output,
                      int channels, int height, int width, int out_channels, int group,
                      int kernel_h, int kernel_w, int pad_top, int pad_left,
                      int stride_h, int stride_w, int dilation_h, int dilation_w, int out_h, int out_w,
                      int32_t input_offset, int32_t output_offset,
                      const int32_t *multipliers, const int32_t *shifts,
                      int32_t act_min, int32_t act_max, int single_rounding,
                      int channel_begin, int channel_end);

/* Per-channel int8 fully connected: output[b][n] for rows [row_begin, row_end) of a
   batch x depth input and an out x depth weight. */
void ferry_qfully_connected_s8(const int8_t *input, const int8_t *weights, const int32_t *bias, int8_t *output,
                               int batches, int depth, int outputs,
                               int32_t input_offset, int32_t output_offset,
                               const int32_t *multipliers, const int32_t *shifts,
                               int32_t act_min, int32_t act_max, int single_rounding,
                               int row_begin, int row_end);


/// Lays out the int8 input windows of a group-1 convolution as rows k = (c, ky, kx) of
/// out_h × out_w positions; positions in the padding take pad_value (the input zero point, so
/// they add nothing once the input offset is applied, as TFLite's kernels skip them).
void ferry_qim2col_s8(const int8_t *input, int8_t *col, int channels, int height, int width,
                      int kernel_h, int kernel_w, int pad_top, int pad_left, int stride_h, int stride_w,
                      int dilation_h, int dilation_w, int out_h, int out_w, int8_t pad_value);

/// Output channels [m_begin, m_end) of weights (M×K) · (col (K×P) + input_offset) + bias,
/// requantized per channel as ferry_qconv2d_s8 does: the same int32 sums, computed a tile of
/// positions at a time (AVX2 when the CPU has it).
void ferry_qgemm_requant_s8(const int8_t *weights, const int8_t *col, const int32_t *bias, int8_t *output, int K, int P,
                            int32_t input_offset, int32_t output_offset, const int32_t *multipliers, const int32_t *shifts,
                            int32_t act_min, int32_t act_max, int single_rounding, int m_begin, int m_end);

/// A depthwise int8 convolution (group = channels, `multiplier` outputs per input channel):
/// the sums ferry_qconv2d_s8 makes (padding taps add nothing), a whole output row at a time.
void ferry_qdepthwise_s8(const int8_t *input, const int8_t *weights, const int32_t *bias, int8_t *output,
                         int channels, int height, int width, int multiplier,
                         int kernel_h, int kernel_w, int pad_top, int pad_left,
                         int stride_h, int stride_w, int dilation_h, int dilation_w, int out_h, int out_w,
                         int32_t input_offset, int32_t output_offset,
                         const int32_t *multipliers, const int32_t *shifts,
                         int32_t act_min, int32_t act_max, int single_rounding,
                         int channel_begin, int channel_end);

/// Drift sums over n float pairs: out = {max |a−b|, Σ|a−b|, Σ(a−b)², Σa², Σb², Σab} in double.
/// Returns 1 (out undefined) when a NaN or infinity appears; the caller then sums element by element.
int ferry_pair_sums(const float *a, const float *b, long n, double *out);
/* 16x8 convolution (any group count, NCHW): int16 input with zero point 0, int8 weights,
   int64 bias and sums, as TFLite's reference int16 ConvPerChannel and DepthwiseConvPerChannel. */
void ferry_qconv2d_s16(const int16_t *input, const int8_t *weights, const int64_t *bias, int16_t *output,
                       int channels, int height, int width, int out_channels, int group,
                       int kernel_h, int kernel_w, int pad_top, int pad_left,
                       int stride_h, int stride_w, int dilation_h, int dilation_w, int out_h, int out_w,
                       const int32_t *multipliers, const int32_t *shifts, int32_t act_min, int32_t act_max,
                       int channel_begin, int channel_end);

/* 16x8 fully connected for rows [row_begin, row_end) of a rows x depth int16 input. LiteRT's
   int16 FULLY_CONNECTED requantizes in floating point: round(acc * scales[n]) with
   scales[n] = input_scale * filter_scale[n] / output_scale in double (round half away from zero). */
void ferry_qfully_connected_s16(const int16_t *input, const int8_t *weights, const int64_t *bias, int16_t *output,
                                int depth, int outputs, const double *scales,
                                int32_t act_min, int32_t act_max, int row_begin, int row_end);

/* TFLite's int16 look-up table (513 entries) of function 0 exp, 1 1/(1+x), 2 sigmoid, 3 tanh over
   the int16 input range at input_scale/input_zero_point, output at output_scale/output_zero_point. */
void ferry_int16_lut_populate(float input_scale, int32_t input_zero_point, float output_scale, int32_t output_zero_point,
                              int function, int16_t *lut);

/* TFLite's int16 SOFTMAX over the last axis (rows x depth): exp and reciprocal by table. */
void ferry_softmax_s16(const int16_t *input, int16_t *output, long rows, int depth, int32_t input_multiplier, int input_shift,
                       const int16_t *exp_lut, const int16_t *recip_lut);

/* TFLite's int16 LOGISTIC and TANH (zero points 0, output 1/32768): input rescaled by
   multiplier/left shift (multiplier 0: the power-of-two case), then the interpolated table. */
void ferry_logistic_s16(const int16_t *input, int16_t *output, long count, int32_t input_multiplier, int32_t input_left_shift);
void ferry_tanh_s16(const int16_t *input, int16_t *output, long count, int32_t input_multiplier, int32_t input_left_shift);

/* Per-tensor QuantizeLinear of float32 to int8 / int16: rint(x / scale) + zero, clamped, NaN to the low end. */
void ferry_quantize_f32_s8(const float *x, int8_t *y, long n, float scale, float zero);
void ferry_quantize_f32_s16(const float *x, int16_t *y, long n, float scale, float zero);
/* Symmetric per-channel weight quantization of a tensor viewed as outer × channels × inner:
   scale[c] = max |w| over the channel / qmax (1 when that is 0), q = round(w / scale) half away
   from zero, clamped to ±qmax. Returns 0, or -1 (nothing written to q) when a weight is NaN or
   infinite, which no integer format holds. */
int ferry_quantize_symmetric_per_channel(const float *w, long outer, long channels, long inner, float qmax,
                                         float *scales, int8_t *q);
/* QuantizeLinear then DequantizeLinear with the same per-tensor parameters, in one pass and
   without the integer tensor: q = rint(x / scale) + zero clamped to [low, high] (NaN to low),
   then (q - zero) * scale. q - zero is a whole number below 2^17, exact in float32, so the
   result has the bits the two ops give. In place (y == x) is allowed. */
void ferry_fake_quantize_f32(const float *x, float *y, long n, float scale, float zero, float low, float high);

/* The smallest and largest finite values of x (+inf and -inf when there are none). */
void ferry_finite_range_f32(const float *x, long n, float *low, float *high);

#endif
