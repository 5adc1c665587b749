//! Limits the server enforces and the web UI checks before sending, so both say the same thing.

/// Characters of a subject.
pub const MAX_SUBJECT: usize = 500;
/// Characters of a summary.
pub const MAX_TEXT: usize = 10_000;
/// Characters of a note, instruction or annotation.
pub const MAX_NOTE: usize = 4_000;
/// Targets of one referral request.
pub const MAX_TARGETS: usize = 50;
/// Characters of the sender's reference number.
pub const MAX_REFERENCE: usize = 100;
