//! Work accounting across every [`Budget`](super::poly::Budget) on a thread.
//!
//! Each comparison has its own step budget, but one line of working can
//! start dozens of comparisons: its own check, the error-carried-forward
//! check, and every buggy rewrite the diagnosis tries. A [`SharedWork`]
//! scope makes all of them draw from one pool, so the work for a line is
//! capped as a whole. A thread-wide counter of all work spent lets tests and
//! benchmarks see what a call cost without timing it.

use std::cell::Cell;

use super::MathsError;

thread_local! {
    /// Work units spent on this thread since it started.
    static SPENT: Cell<u64> = const { Cell::new(0) };
    /// Units left in the innermost shared pool, and that pool's size.
    static POOL: Cell<Option<(u64, u64)>> = const { Cell::new(None) };
}

/// Charges `units` to the thread's counter and to the active shared pool.
///
/// Returns [`MathsError::BudgetExceeded`] when the pool has run dry. Without
/// an active pool it only counts.
/// Work refused is not counted, because callers charge before they work.
pub(crate) fn charge(units: u64) -> Result<(), MathsError> {
    POOL.with(|pool| match pool.get() {
        None => Ok(()),
        Some((left, size)) if units > left => {
            pool.set(Some((0, size)));
            Err(MathsError::BudgetExceeded { budget: size })
        }
        Some((left, size)) => {
            pool.set(Some((left - units, size)));
            Ok(())
        }
    })?;
    SPENT.with(|spent| spent.set(spent.get().saturating_add(units)));
    Ok(())
}

/// Work units spent by every budget on this thread so far.
///
/// Subtract two readings to get the cost of the calls between them.
pub fn spent_on_this_thread() -> u64 {
    SPENT.with(Cell::get)
}

/// A scope in which every budget on this thread draws from one pool.
///
/// Scopes nest: an inner pool replaces the outer one until it is dropped,
/// and its spending is not charged to the outer pool. Dropping the scope
/// restores the outer pool.
#[must_use = "the pool is shared only while the scope is alive"]
pub struct SharedWork {
    outer: Option<(u64, u64)>,
}

impl SharedWork {
    /// Opens a pool of `units` work units for the calls made until the
    /// returned scope is dropped.
    pub fn new(units: u64) -> SharedWork {
        let outer = POOL.with(|pool| pool.replace(Some((units, units))));
        SharedWork { outer }
    }

    /// Units spent from this scope's pool so far.
    pub fn used(&self) -> u64 {
        POOL.with(|pool| match pool.get() {
            Some((left, size)) => size - left,
            None => 0,
        })
    }
}

impl Drop for SharedWork {
    fn drop(&mut self) {
        POOL.with(|pool| pool.set(self.outer));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_runs_dry() {
        let scope = SharedWork::new(10);
        assert!(charge(6).is_ok());
        assert_eq!(scope.used(), 6);
        assert!(matches!(
            charge(6),
            Err(MathsError::BudgetExceeded { budget: 10 })
        ));
        // Once dry, every later charge fails too.
        assert!(charge(1).is_err());
    }

    #[test]
    fn inner_scope_restores_outer_pool() {
        let outer = SharedWork::new(100);
        assert!(charge(40).is_ok());
        {
            let _inner = SharedWork::new(5);
            assert!(charge(6).is_err());
        }
        assert_eq!(outer.used(), 40);
        assert!(charge(60).is_ok());
        assert!(charge(1).is_err());
    }

    #[test]
    fn counter_counts_without_pool() {
        let before = spent_on_this_thread();
        assert!(charge(7).is_ok());
        assert_eq!(spent_on_this_thread() - before, 7);
    }
}
