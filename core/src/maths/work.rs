//! Work accounting across every [`Budget`](super::poly::Budget) on a thread.
//!
//! Each comparison has its own step budget, but one line of working can
//! start dozens of comparisons: its own check, the error-carried-forward
//! check, and every buggy rewrite the diagnosis tries. A [`SharedWork`]
//! scope makes all of them draw from one pool, so the work for a line, and
//! for a whole check, is capped as a whole. A thread-wide counter of all work spent lets tests and
//! benchmarks see what a call cost without timing it.

use std::cell::{Cell, RefCell};

use super::MathsError;

thread_local! {
    /// Work units spent on this thread since it started.
    static SPENT: Cell<u64> = const { Cell::new(0) };
    /// The open shared pools, outermost first, each as (units left, size).
    static POOLS: RefCell<Vec<(u64, u64)>> = const { RefCell::new(Vec::new()) };
}

/// Charges `units` to the thread's counter and to every open shared pool.
///
/// Returns [`MathsError::BudgetExceeded`], naming the size of the pool that
/// ran dry, when any open pool has fewer units left; that pool is then
/// empty, so every later charge to it fails too. Work refused is not
/// counted, because callers charge before they work.
pub(crate) fn charge(units: u64) -> Result<(), MathsError> {
    POOLS.with(|pools| {
        let mut pools = pools.borrow_mut();
        if let Some(pool) = pools.iter_mut().find(|(left, _)| units > *left) {
            pool.0 = 0;
            return Err(MathsError::BudgetExceeded { budget: pool.1 });
        }
        for pool in pools.iter_mut() {
            pool.0 -= units;
        }
        Ok(())
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
/// Scopes nest: work done in an inner scope is charged to the inner pool
/// and to every outer one, so a whole check and each of its lines can have
/// a cap of their own. Dropping the scope closes its pool.
#[must_use = "the pool is shared only while the scope is alive"]
pub struct SharedWork {
    /// Position of this scope's pool in the thread's stack of pools.
    depth: usize,
}

impl SharedWork {
    /// Opens a pool of `units` work units for the calls made until the
    /// returned scope is dropped.
    pub fn new(units: u64) -> SharedWork {
        POOLS.with(|pools| {
            let mut pools = pools.borrow_mut();
            pools.push((units, units));
            SharedWork {
                depth: pools.len() - 1,
            }
        })
    }

    /// Units spent from this scope's pool so far.
    pub fn used(&self) -> u64 {
        POOLS.with(|pools| {
            pools
                .borrow()
                .get(self.depth)
                .map_or(0, |(left, size)| size - left)
        })
    }
}

impl Drop for SharedWork {
    fn drop(&mut self) {
        // Also closes any inner pool left open by a scope dropped out of order.
        POOLS.with(|pools| pools.borrow_mut().truncate(self.depth));
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
    fn inner_scope_charges_outer_pool() {
        let outer = SharedWork::new(100);
        assert!(charge(40).is_ok());
        {
            let inner = SharedWork::new(50);
            assert!(charge(30).is_ok());
            assert_eq!(inner.used(), 30);
            // 25 units are more than the 20 left in the inner pool.
            assert!(matches!(
                charge(25),
                Err(MathsError::BudgetExceeded { budget: 50 })
            ));
        }
        assert_eq!(outer.used(), 70);
        // The outer pool runs dry before a new inner one does.
        let _inner = SharedWork::new(50);
        assert!(matches!(
            charge(31),
            Err(MathsError::BudgetExceeded { budget: 100 })
        ));
    }

    #[test]
    fn counter_counts_without_pool() {
        let before = spent_on_this_thread();
        assert!(charge(7).is_ok());
        assert_eq!(spent_on_this_thread() - before, 7);
    }
}
