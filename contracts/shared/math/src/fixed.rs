//! Fixed-point helpers.

/// The fixed-point unit: `ONE` stands for 1.0 (nine decimal places).
pub const ONE: u128 = 1_000_000_000;

/// Parts per million: rates and weights are `u32` in `0..=PPM`.
pub const PPM: u32 = 1_000_000;

/// `floor(a * b / c)` computed without intermediate overflow.
///
/// Returns `u128::MAX` when the true result does not fit, and 0 when `c == 0`
/// (every caller divides by a count or a cost, where "nothing" means "no
/// value", never an error).
pub fn mul_div(a: u128, b: u128, c: u128) -> u128 {
    if c == 0 {
        return 0;
    }
    if let Some(product) = a.checked_mul(b) {
        return product.checked_div(c).unwrap_or(0);
    }
    let (hi, lo) = wide_mul(a, b);
    if hi >= c {
        // The quotient would need more than 128 bits.
        return u128::MAX;
    }
    div_wide(hi, lo, c)
}

/// The 256-bit product of two `u128`, as (high, low) halves.
// Plain arithmetic: the comments below show that no operation overflows.
#[allow(clippy::arithmetic_side_effects)]
fn wide_mul(a: u128, b: u128) -> (u128, u128) {
    const MASK: u128 = u64::MAX as u128;
    let (a_hi, a_lo) = (a >> 64, a & MASK);
    let (b_hi, b_lo) = (b >> 64, b & MASK);
    // Each partial product of two 64-bit halves fits in 128 bits.
    let lo_lo = a_lo * b_lo;
    let hi_lo = a_hi * b_lo;
    let lo_hi = a_lo * b_hi;
    let hi_hi = a_hi * b_hi;
    // Sum of three values < 2^64 each: cannot overflow 128 bits.
    let mid = (lo_lo >> 64) + (hi_lo & MASK) + (lo_hi & MASK);
    let lo = (lo_lo & MASK) | (mid << 64);
    // The full product is < 2^256, so the high half cannot overflow.
    let hi = hi_hi + (hi_lo >> 64) + (lo_hi >> 64) + (mid >> 64);
    (hi, lo)
}

/// `(hi * 2^128 + lo) / c` for `hi < c`, by restoring binary long division.
fn div_wide(mut hi: u128, lo: u128, c: u128) -> u128 {
    let mut quotient = 0u128;
    for bit in (0..128).rev() {
        // Shift the remainder left by one, bringing in the next bit of `lo`.
        let carry = hi >> 127;
        hi = (hi << 1) | ((lo >> bit) & 1);
        quotient <<= 1;
        // With the carry the remainder is >= 2^128 > c: subtract (wrapping is
        // exact because the true difference is < c < 2^128).
        if carry == 1 || hi >= c {
            hi = hi.wrapping_sub(c);
            quotient |= 1;
        }
    }
    quotient
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn small_values_divide_exactly() {
        assert_eq!(mul_div(6, 7, 3), 14);
        assert_eq!(mul_div(7, 1, 2), 3);
        assert_eq!(mul_div(5, 5, 0), 0);
    }

    #[test]
    fn wide_products_are_exact() {
        // (2^127) * 4 / 8 = 2^126.
        assert_eq!(mul_div(1 << 127, 4, 8), 1 << 126);
        assert_eq!(mul_div(u128::MAX, u128::MAX, u128::MAX), u128::MAX);
        assert_eq!(mul_div(u128::MAX, 3, 3), u128::MAX);
        // 2^128 - 1 is divisible by 3.
        assert_eq!(mul_div(u128::MAX, 2, 3), u128::MAX / 3 * 2);
    }

    #[test]
    fn overflowing_quotient_saturates() {
        assert_eq!(mul_div(u128::MAX, 2, 1), u128::MAX);
    }

    proptest! {
        /// Agrees with plain arithmetic wherever plain arithmetic works.
        #[test]
        fn agrees_with_u128_when_no_overflow(a in any::<u64>(), b in any::<u64>(), c in 1..u128::MAX) {
            let (a, b) = (a as u128, b as u128);
            prop_assert_eq!(mul_div(a, b, c), a * b / c);
        }

        /// `a * b / b == a` even when `a * b` overflows.
        #[test]
        fn cancels_exactly(a in any::<u128>(), b in 1..u128::MAX) {
            prop_assert_eq!(mul_div(a, b, b), a);
        }

        /// Checks the quotient by the definition of floor division:
        /// q*c <= a*b < (q+1)*c, in 256-bit arithmetic.
        #[test]
        fn is_floor_division(a in any::<u128>(), b in any::<u128>(), c in 1..u128::MAX) {
            let q = mul_div(a, b, c);
            let (hi, lo) = wide_mul(a, b);
            if hi < c {
                let (qc_hi, qc_lo) = wide_mul(q, c);
                prop_assert!((qc_hi, qc_lo) <= (hi, lo));
                let (r_lo, borrow) = lo.overflowing_sub(qc_lo);
                let r_hi = hi - qc_hi - borrow as u128;
                prop_assert!(r_hi == 0 && r_lo < c);
            } else {
                prop_assert_eq!(q, u128::MAX);
            }
        }
    }
}
