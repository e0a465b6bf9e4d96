#ifndef SGDYN_CVECTORMATH_H
#define SGDYN_CVECTORMATH_H

/// Eight-lane primitives for SGDynCore's vector kernels (the ODE's arcsines and orthant
/// probabilities): square root, division and selection by comparison.
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

#endif
