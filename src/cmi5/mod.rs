//! cmi5 (AICC/ADL cmi5, "Quartz"): reading a course structure (`cmi5.xml`), the statement rules
//! an LMS enforces on what its AUs send, and satisfaction by moveOn with the statements the LMS
//! writes itself. Pure so far: the item kind, its launch and fetch URL come next (issue 13).

pub mod moveon;
pub mod rules;
pub mod structure;
