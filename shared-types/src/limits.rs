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
/// Characters of a name: of a unit, an external entity or an API client, and a user's full names.
pub const MAX_NAME: usize = 200;
/// Characters of a user's phone number.
pub const MAX_PHONE: usize = 32;
/// Characters of a user's e-mail address.
pub const MAX_EMAIL: usize = 254;
/// Physical attachments a letter may say it came with (`attachments_count`, from 0).
pub const MAX_ATTACHMENTS: i64 = 10_000;
/// Bytes (UTF-8, not characters) of a password.
pub const MAX_PASSWORD_BYTES: usize = 256;
/// The code of a unit, a registry or an external entity: 1 to 32 ASCII letters, digits, `-` or `_`.
pub const CODE_PATTERN: &str = "^[A-Za-z0-9_-]{1,32}$";
