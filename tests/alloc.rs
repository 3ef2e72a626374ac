//! Assessing an operation allocates nothing once the buffers have grown: not
//! when no rule fires, and not when rules fire and the assessment goes into
//! a reused `Assessment` (its lists and quoted words are recycled). A
//! counting global allocator checks it.
//!
//! This is its own test target (its own process), so no other test's
//! allocations are counted; the counter is per thread all the same, so the
//! test harness's threads cannot disturb it.

#![allow(unsafe_code)] // a global allocator is an `unsafe impl`

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use tellerguard::{workload, Action, Assessment, Engine, Lang, Operation};

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn count() {
    // `try_with`: the thread-local may be gone while a thread shuts down.
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
}

// SAFETY: every call is forwarded unchanged to the system allocator.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        System.alloc(layout)
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count();
        System.alloc_zeroed(layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        System.realloc(ptr, layout, new_size)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations() -> usize {
    ALLOCATIONS.with(Cell::get)
}

/// Workload operations on which no rule of the default pack fires: routine
/// payments, some of which still require counter questions.
fn quiet_operations(engine: &Engine) -> Vec<Operation> {
    let quiet: Vec<Operation> =
        workload::generate(3_000, 5).into_iter().filter(|op| engine.assess(op).matches.is_empty()).collect();
    assert!(quiet.len() > 2_000, "only {} quiet operations", quiet.len());
    assert!(quiet.iter().any(|op| engine.assess(op).action == Action::Ask), "no quiet operation asks questions");
    quiet
}

#[test]
fn assessing_a_quiet_operation_allocates_nothing_after_warm_up() {
    let engine = Engine::embedded().unwrap();
    let ops = quiet_operations(&engine);
    let mut out = Assessment::default();
    for lang in [Lang::Zh, Lang::En] {
        for op in &ops {
            engine.assess_into(op, lang, &mut out);
        }
    }
    let before = allocations();
    for op in &ops {
        engine.assess_into(op, Lang::Zh, &mut out);
        std::hint::black_box(&out);
    }
    let after = allocations();
    assert_eq!(after - before, 0, "{} allocations over {} quiet assessments", after - before, ops.len());
}

#[test]
fn the_counter_sees_allocations() {
    let before = allocations();
    let v: Vec<u64> = std::hint::black_box(Vec::with_capacity(8));
    drop(v);
    assert_eq!(allocations() - before, 1);
}

#[test]
fn assessing_into_a_reused_assessment_allocates_nothing_after_warm_up_even_when_rules_fire() {
    let engine = Engine::embedded().unwrap();
    let ops = workload::generate(3_000, 11);
    let firing = ops.iter().filter(|op| !engine.assess(op).matches.is_empty()).count();
    assert!(firing > 100, "only {firing} operations fire a rule");
    let mut out = Assessment::default();
    for op in &ops {
        engine.assess_into(op, Lang::Zh, &mut out);
    }
    // In reverse order: which recycled buffer each result gets depends on
    // the results before it, and any of them must fit.
    let before = allocations();
    let mut matches = 0;
    for op in ops.iter().rev() {
        engine.assess_into(op, Lang::Zh, &mut out);
        matches += out.matches.len();
    }
    let after = allocations();
    assert!(matches > firing, "{matches} matches");
    assert_eq!(after - before, 0, "{} allocations over {} assessments", after - before, ops.len());
}
