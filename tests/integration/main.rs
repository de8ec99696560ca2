//! The integration tests, linked once into one test binary (the ripgrep shape): each module
//! below was a test binary of its own, and every one of them linked the whole library.

mod checker;
mod common;
mod hostile;

mod classify;
mod collect;
mod december;
mod deliver;
mod forms;
mod history;
mod hostile_inputs;
mod inputs_not_plain;
mod intake;
mod intake_corpus;
mod master;
mod module_graph;
mod notice_cap;
mod notices;
mod ofd;
mod run;
mod send;
mod send_faults;
mod signing;
mod summary_xlsx;
