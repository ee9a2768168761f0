//! The networks sbctl knows by name, and custom OAuth 2.0 / OIDC providers. Each
//! built-in network gets its own file here as its token rules are built; `custom`
//! serves any provider from the config file.

pub mod custom;

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
