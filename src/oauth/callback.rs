//! What comes back to the loopback listener (or is pasted by the user): the query of
//! the redirect. Pure functions, so that hostile input is easy to test.

use crate::domain::token::Secret;
use subtle::ConstantTimeEq;

/// Longest callback query accepted; real ones are a few hundred bytes.
pub const MAX_QUERY_BYTES: usize = 8 * 1024;

/// A callback that belongs to this flow.
#[derive(Debug, PartialEq, Eq)]
pub enum Callback {
    /// The user consented: the authorization code.
    Code(Secret),
    /// The provider ended the flow with `error=` (the user denied, or it refused).
    Denied {
        error: String,
        description: Option<String>,
    },
}

/// Why a request was not taken as this flow's callback (the flow keeps waiting).
#[derive(Debug, PartialEq, Eq)]
pub enum Rejected {
    /// No `state`, or not ours: a stale tab, another flow, or a forgery.
    WrongState,
    /// Not a callback that can be understood.
    Malformed(&'static str),
}

/// Reads a callback query. Only a request carrying our `state` (compared in constant
/// time) can end the flow; unknown parameters (such as RFC 9207's `iss`) are ignored;
/// a repeated parameter is refused rather than guessed at.
pub fn parse(query: &str, expected_state: &str) -> Result<Callback, Rejected> {
    if query.len() > MAX_QUERY_BYTES {
        return Err(Rejected::Malformed("the request is too long"));
    }
    let mut state = None;
    let mut code = None;
    let mut error = None;
    let mut description = None;
    for (key, value) in oauth2::url::form_urlencoded::parse(query.as_bytes()) {
        let slot = match key.as_ref() {
            "state" => &mut state,
            "code" => &mut code,
            "error" => &mut error,
            "error_description" => &mut description,
            _ => continue,
        };
        if slot.replace(value.into_owned()).is_some() {
            return Err(Rejected::Malformed("a parameter is repeated"));
        }
    }
    let ours = state.is_some_and(|s| bool::from(s.as_bytes().ct_eq(expected_state.as_bytes())));
    if !ours {
        return Err(Rejected::WrongState);
    }
    match (error, code) {
        (Some(error), _) => Ok(Callback::Denied { error, description }),
        (None, Some(code)) if !code.is_empty() => Ok(Callback::Code(Secret::new(code))),
        _ => Err(Rejected::Malformed("there is neither a code nor an error")),
    }
}

/// The query of a URL the user pasted (the address the browser was sent to).
pub fn query_of_pasted(text: &str) -> Option<String> {
    let url = oauth2::url::Url::parse(text.trim()).ok()?;
    url.query().map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATE: &str = "s7a7e-Xyz_123";

    #[test]
    fn code_with_our_state_and_extra_parameters() {
        let got = parse(
            &format!("code=abc%2Fdef&state={STATE}&iss=http%3A%2F%2F127.0.0.1%3A9"),
            STATE,
        );
        assert_eq!(got, Ok(Callback::Code(Secret::new("abc/def".into()))));
    }

    #[test]
    fn wrong_or_missing_state_is_rejected() {
        assert_eq!(
            parse("code=abc&state=other", STATE),
            Err(Rejected::WrongState)
        );
        assert_eq!(parse("code=abc", STATE), Err(Rejected::WrongState));
        assert_eq!(parse("code=abc&state=", STATE), Err(Rejected::WrongState));
        let prefix = &STATE[..STATE.len() - 1];
        assert_eq!(
            parse(&format!("code=a&state={prefix}"), STATE),
            Err(Rejected::WrongState)
        );
        // An error needs our state too, or anyone could end the flow.
        assert_eq!(
            parse("error=access_denied&state=x", STATE),
            Err(Rejected::WrongState)
        );
    }

    #[test]
    fn repeated_parameters_are_refused() {
        let q = format!("code=a&code=b&state={STATE}");
        assert_eq!(
            parse(&q, STATE),
            Err(Rejected::Malformed("a parameter is repeated"))
        );
        let q = format!("code=a&state=evil&state={STATE}");
        assert!(parse(&q, STATE).is_err());
    }

    #[test]
    fn provider_errors_end_the_flow_with_their_words() {
        let q = format!(
            "error=access_denied&error_description=%3Cscript%3Ealert(1)%3C%2Fscript%3E&state={STATE}"
        );
        assert_eq!(
            parse(&q, STATE),
            Ok(Callback::Denied {
                error: "access_denied".into(),
                description: Some("<script>alert(1)</script>".into())
            })
        );
    }

    #[test]
    fn huge_and_empty_queries() {
        let huge = format!("state={STATE}&code={}", "a".repeat(MAX_QUERY_BYTES));
        assert_eq!(
            parse(&huge, STATE),
            Err(Rejected::Malformed("the request is too long"))
        );
        assert_eq!(parse("", STATE), Err(Rejected::WrongState));
        assert_eq!(
            parse(&format!("state={STATE}"), STATE),
            Err(Rejected::Malformed("there is neither a code nor an error"))
        );
        assert!(parse("%%%&&&==&state", STATE).is_err());
    }

    #[test]
    fn pasted_urls() {
        assert_eq!(
            query_of_pasted("  http://127.0.0.1:8765/callback?code=a&state=b \n").as_deref(),
            Some("code=a&state=b")
        );
        assert_eq!(query_of_pasted("not a url"), None);
    }

    mod properties {
        use super::super::*;
        use proptest::prelude::*;

        fn query(pairs: &[(&str, &str)]) -> String {
            oauth2::url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(pairs)
                .finish()
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(3000))]
            #[test]
            fn any_query_is_read_or_refused(q in "\\PC{0,300}", state in "[A-Za-z0-9_-]{22}") {
                let _ = parse(&q, &state);
                let _ = query_of_pasted(&q);
            }

            #[test]
            fn a_code_comes_back_only_with_its_state(
                code in "\\PC{1,100}",
                state in "[A-Za-z0-9_-]{22}",
                other in "[A-Za-z0-9_-]{22}",
            ) {
                let q = query(&[("code", &code), ("state", &state)]);
                prop_assert_eq!(parse(&q, &state), Ok(Callback::Code(Secret::new(code.clone()))));
                if other != state {
                    prop_assert_eq!(parse(&q, &other), Err(Rejected::WrongState));
                }
            }
        }
    }
}
