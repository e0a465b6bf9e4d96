#ifndef SGDYN_CVECTORMATH_H
#define SGDYN_CVECTORMATH_H

/// Eight-lane primitives for SGDynCore's vector kernels (the ODE's arcsines and orthant
/// probabilities, the simulator's activations and normal deviates): square root, division,
/// selection by comparison, comparison to a bit mask, and table look-up.
///
/// Why C: on this toolchain Swift's SIMD8<Double>.squareRoot() calls the C library's scalar sqrt
/// once per lane (with an errno check), its division is split into 128-bit pieces, and a select
/// through SIMDMask (`replacing(with:where:)`) turns into per-lane mask shuffles; a kernel using
/// them runs 3–4x slower than it should, and drags the Swift arithmetic around it into 128-bit
/// pieces too. These inline functions compile inside their Swift callers, for the callers' CPU
/// target, to single vector instructions, and the Swift multiplies and adds next to them then
/// stay in full-width registers. The arithmetic itself stays in Swift.
///
/// Determinism: square root and division are correctly rounded IEEE operations and a select is
/// exact, so every CPU target gives the same bits; contraction into fused multiply-adds is off.
#pragma clang fp contract(off)

typedef double sgdyn_double8 __attribute__((ext_vector_type(8)));
typedef unsigned long long sgdyn_ulong8 __attribute__((ext_vector_type(8)));
typedef _Bool sgdyn_bool8 __attribute__((ext_vector_type(8)));

/// √x in each lane.
static inline __attribute__((always_inline)) sgdyn_double8 sgdyn_sqrt8(sgdyn_double8 x) {
    return __builtin_elementwise_sqrt(x);
}

/// x / y in each lane.
static inline __attribute__((always_inline)) sgdyn_double8 sgdyn_div8(sgdyn_double8 x, sgdyn_double8 y) {
    return x / y;
}

/// In each lane: a > b ? ifGreater : otherwise (otherwise when either is NaN).
static inline __attribute__((always_inline)) sgdyn_double8 sgdyn_select_greater8(
    sgdyn_double8 a, sgdyn_double8 b, sgdyn_double8 otherwise, sgdyn_double8 ifGreater) {
    return a > b ? ifGreater : otherwise;
}

/// Bit j set where a[j] < b[j] (clear for NaN).
static inline __attribute__((always_inline)) unsigned sgdyn_less_mask8(sgdyn_double8 a, sgdyn_double8 b) {
    sgdyn_bool8 less = __builtin_convertvector(a < b, sgdyn_bool8);
    return __builtin_bit_cast(unsigned char, less);
}

/// table[index[j]] in each lane.
static inline __attribute__((always_inline)) sgdyn_double8 sgdyn_gather8(const double *table, sgdyn_ulong8 index) {
    sgdyn_double8 result = {table[index[0]], table[index[1]], table[index[2]], table[index[3]],
                            table[index[4]], table[index[5]], table[index[6]], table[index[7]]};
    return result;
}

#endif
