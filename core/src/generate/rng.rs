//! The pseudo-random generator behind every question: xoshiro256** seeded
//! by SplitMix64, written here from the published definitions so that a
//! question id gives the same question on every platform and with every
//! version of every dependency.
//!
//! All arithmetic is on unsigned 64-bit integers and wraps modulo 2^64.
//!
//! **SplitMix64** (Steele, Lea and Flood, 2014), used only for seeding. The
//! state is one `u64`. Each output first adds the constant
//! `0x9E3779B97F4A7C15` to the state, then mixes a copy `z` of the new state:
//!
//! ```text
//! z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
//! z = (z ^ (z >> 27)) * 0x94D049BB133111EB
//! output z ^ (z >> 31)
//! ```
//!
//! For seed 0 the first output is `0xE220A8397B1DCDAF`.
//!
//! **xoshiro256\*\*** (Blackman and Vigna, 2018). The state is four `u64`
//! words `s[0..4]`, set to the first four SplitMix64 outputs for the seed.
//! These cannot all be zero, because the SplitMix64 output function is a
//! bijection applied to four distinct states. One step outputs
//! `rotl(s[1] * 5, 7) * 9`, where `rotl(v, k)` rotates `v` left by `k`
//! bits, and then updates the state:
//!
//! ```text
//! t = s[1] << 17
//! s[2] ^= s[0];  s[3] ^= s[1];  s[1] ^= s[2];  s[0] ^= s[3]
//! s[2] ^= t
//! s[3] = rotl(s[3], 45)
//! ```
//!
//! **Inclusive integer ranges.** [`Rng::range`]`(lo, hi)` needs one of
//! `n = hi - lo + 1` values with equal probability. Taking `x mod n` of a raw
//! output `x` would favour small remainders whenever `n` does not divide
//! 2^64, so the draw uses rejection sampling. Let `t = 2^64 mod n`, computed
//! as `(2^64 - n) mod n` in 64-bit arithmetic. Outputs `x < t` are rejected
//! and a new output is drawn. The accepted outputs `t..2^64` number
//! `2^64 - t`, which is a multiple of `n`, so `x mod n` is then exactly
//! uniform, and the result is `lo + (x mod n)`. At most half of all outputs
//! are rejected, so the expected number of draws is below 2. When the range
//! covers all 2^64 values of `i64`, one raw output is used as it is.
//!
//! **Choosing from a list.** [`Rng::choose`] draws an index with
//! `range(0, len - 1)` and returns that element.

/// SplitMix64, used to expand a 64-bit seed into the xoshiro256** state.
#[derive(Debug, Clone)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// xoshiro256**, the generator that draws template parameters.
#[derive(Debug, Clone)]
pub struct Rng {
    s: [u64; 4],
}

impl Rng {
    /// Seeds the state with the first four SplitMix64 outputs for `seed`.
    pub fn from_seed(seed: u64) -> Self {
        let mut seeder = SplitMix64::new(seed);
        let s = [
            seeder.next_u64(),
            seeder.next_u64(),
            seeder.next_u64(),
            seeder.next_u64(),
        ];
        Rng { s }
    }

    pub fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// Draws an integer in `lo..=hi` uniformly, by rejection sampling as the
    /// module documentation describes. Swaps the bounds if `lo > hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        let (lo, hi) = if lo <= hi { (lo, hi) } else { (hi, lo) };
        // The width fits in u64 because the two's-complement difference of
        // two i64 values, read as unsigned, is the exact distance.
        let span = (hi as u64).wrapping_sub(lo as u64).wrapping_add(1);
        if span == 0 {
            return self.next_u64() as i64;
        }
        let threshold = span.wrapping_neg() % span;
        loop {
            let x = self.next_u64();
            if x >= threshold {
                return (lo as u64).wrapping_add(x % span) as i64;
            }
        }
    }

    /// Picks one element of `items` uniformly, or `None` for an empty slice.
    pub fn choose<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        if items.is_empty() {
            return None;
        }
        let last = i64::try_from(items.len() - 1).unwrap_or(i64::MAX);
        let index = usize::try_from(self.range(0, last)).unwrap_or(0);
        items.get(index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first_outputs(seed: u64) -> Vec<u64> {
        let mut rng = Rng::from_seed(seed);
        (0..10).map(|_| rng.next_u64()).collect()
    }

    #[test]
    fn splitmix64_seed_zero_matches_published_value() {
        let mut seeder = SplitMix64::new(0);
        assert_eq!(seeder.next_u64(), 0xE220_A839_7B1D_CDAF);
    }

    #[test]
    fn splitmix64_seed_zero_first_four() {
        let mut seeder = SplitMix64::new(0);
        let outputs: Vec<u64> = (0..4).map(|_| seeder.next_u64()).collect();
        assert_eq!(outputs, GOLDEN_SPLITMIX_0);
    }

    #[test]
    fn xoshiro_golden_seed_0() {
        assert_eq!(first_outputs(0), GOLDEN_SEED_0);
    }

    #[test]
    fn xoshiro_golden_seed_1() {
        assert_eq!(first_outputs(1), GOLDEN_SEED_1);
    }

    #[test]
    fn xoshiro_golden_seed_deadbeef() {
        assert_eq!(first_outputs(0xDEAD_BEEF), GOLDEN_SEED_DEADBEEF);
    }

    #[test]
    fn range_golden_draws() {
        let mut rng = Rng::from_seed(42);
        let small: Vec<i64> = (0..10).map(|_| rng.range(-5, 5)).collect();
        assert_eq!(small, GOLDEN_RANGE_SMALL);
        let mut rng = Rng::from_seed(42);
        let large: Vec<i64> = (0..5).map(|_| rng.range(1, 1_000_000_007)).collect();
        assert_eq!(large, GOLDEN_RANGE_LARGE);
    }

    #[test]
    fn range_stays_inside_bounds() {
        let mut rng = Rng::from_seed(7);
        for _ in 0..10_000 {
            let value = rng.range(-3, 4);
            assert!((-3..=4).contains(&value), "value {value} outside -3..=4");
        }
    }

    #[test]
    fn range_single_value_and_full_width() {
        let mut rng = Rng::from_seed(7);
        assert_eq!(rng.range(9, 9), 9);
        let mut swapped = Rng::from_seed(11);
        let mut ordered = Rng::from_seed(11);
        assert_eq!(swapped.range(5, 2), ordered.range(2, 5));
        let _ = rng.range(i64::MIN, i64::MAX);
    }

    #[test]
    fn range_is_roughly_uniform() {
        let mut rng = Rng::from_seed(3);
        let mut counts = [0u32; 6];
        for _ in 0..60_000 {
            let value = rng.range(1, 6);
            counts[(value - 1) as usize] += 1;
        }
        for (face, count) in counts.iter().enumerate() {
            assert!(
                (9_400..=10_600).contains(count),
                "face {} drawn {count} times out of 60000",
                face + 1
            );
        }
    }

    #[test]
    fn choose_golden_and_empty() {
        let mut rng = Rng::from_seed(0xDEAD_BEEF);
        let items = ["a", "b", "c", "d", "e"];
        let picks: Vec<&str> = (0..8)
            .map(|_| *rng.choose(&items).expect("non-empty list"))
            .collect();
        assert_eq!(picks, GOLDEN_CHOOSE);
        let empty: [u8; 0] = [];
        assert_eq!(rng.choose(&empty), None);
    }

    // Computed once with this implementation and, separately, with a Python
    // transcription of the same definitions; the SplitMix64 seed-0 value is
    // also the independently published one.
    const GOLDEN_SPLITMIX_0: [u64; 4] = [
        0xE220_A839_7B1D_CDAF,
        0x6E78_9E6A_A1B9_65F4,
        0x06C4_5D18_8009_454F,
        0xF88B_B8A8_724C_81EC,
    ];
    const GOLDEN_SEED_0: [u64; 10] = [
        0x99EC_5F36_CB75_F2B4,
        0xBF6E_1F78_4956_452A,
        0x1A5F_849D_4933_E6E0,
        0x6AA5_94F1_262D_2D2C,
        0xBBA5_AD4A_1F84_2E59,
        0xFFEF_8375_D9EB_CACA,
        0x6C16_0DEE_D2F5_4C98,
        0x8920_AD64_8FC3_0A3F,
        0xDB03_2C0B_A753_9731,
        0xEB3A_475A_3E74_9A3D,
    ];
    const GOLDEN_SEED_1: [u64; 10] = [
        0xB3F2_AF6D_0FC7_10C5,
        0x853B_5596_4736_4CEA,
        0x92F8_9756_082A_4514,
        0x642E_1C7B_C266_A3A7,
        0xB27A_48E2_9A23_3673,
        0x24C1_2312_6FFD_A722,
        0x1230_04EF_8DF5_10E6,
        0x6195_4DCC_47B1_E89D,
        0xDDFD_B48A_B9ED_4A21,
        0x8D3C_DB8C_3AA5_B1D0,
    ];
    const GOLDEN_SEED_DEADBEEF: [u64; 10] = [
        0xC555_5444_A74D_7E83,
        0x65C3_0D37_B4B1_6E38,
        0x54F7_7320_0A4E_FA23,
        0x429A_ED75_FB95_8AF7,
        0xFB0E_1DD6_9C25_5B2E,
        0x9D6D_02EC_5881_4A27,
        0xF419_9B9D_A2E4_B2A3,
        0x54BC_5B2C_11A4_540A,
        0xE85B_77DF_60AF_CA9B,
        0xA8B8_BA7E_A743_19BE,
    ];
    const GOLDEN_RANGE_SMALL: [i64; 10] = [-5, 2, -3, 0, 0, 0, 1, 3, -5, -1];
    const GOLDEN_RANGE_LARGE: [i64; 5] = [573567472, 27881595, 436452292, 779106271, 996447534];
    const GOLDEN_CHOOSE: [&str; 8] = ["a", "c", "b", "e", "d", "e", "c", "c"];
}
