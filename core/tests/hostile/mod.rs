//! Hostile lines of working for the checker's work cap: high powers, deep
//! brackets, long products, big coefficients and stray operators, mixed the
//! way the fuzzer mixes them. Shared by the `work_cap` test and the
//! `hostile` benchmark through `#[path]`.

/// A small deterministic generator (xorshift64*), so every run checks the
/// same lines.
pub struct Lines {
    state: u64,
}

impl Lines {
    pub fn new(seed: u64) -> Lines {
        Lines {
            state: seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1,
        }
    }

    fn next(&mut self) -> u64 {
        self.state ^= self.state >> 12;
        self.state ^= self.state << 25;
        self.state ^= self.state >> 27;
        self.state.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn number(&mut self) -> String {
        match self.below(4) {
            0 => self.below(10).to_string(),
            1 => (self.below(90) + 10).to_string(),
            2 => format!(
                "{}{}",
                self.below(9) + 1,
                "7".repeat(self.below(30) as usize)
            ),
            _ => format!("{}/{}", self.below(50) + 1, self.below(50) + 2),
        }
    }

    fn atom(&mut self) -> String {
        match self.below(6) {
            0 | 1 => "x".into(),
            2 => self.number(),
            3 => format!("x^{}", self.below(99) + 2),
            4 => format!("(x-{})", self.below(9) + 1),
            _ => format!("(x/{})", self.below(9) + 2),
        }
    }

    /// Builds one expression of roughly `size` atoms.
    fn expression(&mut self, size: u32, depth: u32) -> String {
        let mut text = self.atom();
        for _ in 1..size {
            let op = ["+", "-", "*", "", " ", "/", "-+", "^2"][self.below(8) as usize];
            let next = if depth > 0 && self.below(4) == 0 {
                format!("({})", self.expression(size / 2 + 1, depth - 1))
            } else {
                self.atom()
            };
            if op == "^2" {
                text = format!("({text})^{}", self.below(30) + 2);
            } else {
                text = format!("{text}{op}{next}");
            }
        }
        text
    }

    /// Builds one line of at most `max_chars` characters: an equation
    /// three times in four, else a bare expression.
    pub fn line(&mut self, max_chars: usize) -> String {
        let size = 2 + self.below(10) as u32;
        let mut text = self.expression(size, 3);
        if self.below(4) != 0 {
            text = format!("{text} = {}", self.expression(1 + size / 3, 2));
        }
        text.truncate(max_chars);
        text
    }

    /// Builds 2 to `max_lines` lines, each at most `max_chars` characters.
    pub fn working(&mut self, max_lines: usize, max_chars: usize) -> Vec<String> {
        let count = 2 + self.below(max_lines as u64 - 1) as usize;
        (0..count).map(|_| self.line(max_chars)).collect()
    }
}

/// The slow input the fuzzer found: a degree-25 question, then lines whose
/// diagnosis compared dozens of buggy rewrites of it exactly.
pub const FUZZ_FOUND: [&str; 3] = ["x^25 -+ x 6 = 1", "(x-3)(x-3)+ 6 = 0", "(x-3)(x/3)"];

/// A second slow input from the fuzzer, solved for `x`: a product of 31
/// letters beside the factorial of a letter, which sends the comparison to
/// floating point.
pub const FUZZ_FOUND_NUMERIC: [&str; 2] = ["6", "x = RRRRRRRRRRRRRRRRRRRRRRRRRRRRRRR=x/1r! "];

/// A slow input the fuzzer found later: a question with a second letter,
/// then lines whose diagnosis compared solution sets, each reading the
/// sign of every polynomial at every critical point.
pub const SET_READING_FOUND: [&str; 3] = ["x^2 - 5z + 6 = 2", "(x-2)(x-3) = 0", "x = 2 or x = 3"];
