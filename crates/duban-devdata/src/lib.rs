//! Development-only data for duban, never compiled into the product.
//!
//! - [`seed`]: the master sheet (任务分解表) built from the city's published task list;
//! - [`demo`]: the demo submissions of each demo month, clean and messy forms alike;
//! - [`synthetic`]: whole projects at ×1, ×10, ×100 the real size, for benchmarks and tests.
//!
//! The tests, the benchmark and the `gen_*` examples of this crate use it; the files they write
//! under `input/` are committed, and a test keeps them byte-identical to what the generators make.

pub mod demo;
pub mod seed;
pub mod synthetic;
