//! The networks sbctl knows by name. Each gets its own file behind one trait when the
//! browser flow and renewal arrive; for now the names are what the store and config need.

/// Built-in network names, as users type them, with the name people know them by.
pub const BUILT_IN: [(&str, &str); 8] = [
    ("facebook", "Facebook Pages"),
    ("instagram", "Instagram"),
    ("threads", "Threads"),
    ("x", "X"),
    ("linkedin", "LinkedIn"),
    ("youtube", "YouTube"),
    ("tiktok", "TikTok"),
    ("pinterest", "Pinterest"),
];

pub fn is_built_in(name: &str) -> bool {
    BUILT_IN.iter().any(|(n, _)| *n == name)
}
