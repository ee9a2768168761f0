//! `sbctl profiles import` and `export`: many profiles in and out, in one format.
//!
//! A record is `{"id", "network", "account_id"?, "account_name"?, "token"?}` where
//! `token` is a token response (see `domain::token::grant_from_json`). Import validates
//! every record first and then adds them all in one transaction, or none.

use super::add::add_all;
use crate::commands::Ctx;
use crate::domain::profile::{Profile, ProfileId, Reason};
use crate::domain::token::{grant_from_json, TokenSet};
use crate::error::{Attention, Error, Result};
use crate::secrets::get_tokens;
use crate::store::ListFilter;
use clap::Args;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::collections::HashSet;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// A file of JSON lines or a JSON array of records; `-` reads stdin
    #[arg(value_name = "FILE|-")]
    pub file: PathBuf,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Include the tokens (access and refresh) in the clear
    #[arg(long)]
    pub with_secrets: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Record {
    id: String,
    network: String,
    #[serde(default)]
    account_id: Option<String>,
    #[serde(default)]
    account_name: Option<String>,
    #[serde(default)]
    token: Option<Value>,
}

/// Counts lines as a cursor moves forward through a text, without rescanning.
struct LineCursor<'a> {
    text: &'a str,
    pos: usize,
    line: usize,
}

impl LineCursor<'_> {
    fn line_at(&mut self, pos: usize) -> usize {
        self.line += self.text[self.pos..pos].matches('\n').count();
        self.pos = pos;
        self.line
    }
}

fn skip_ws(text: &str, pos: usize) -> usize {
    pos + text[pos..].len() - text[pos..].trim_start().len()
}

/// Splits an import text into `(line, record)`; errors carry their line.
fn records(text: &str) -> std::result::Result<Vec<(usize, Value)>, (usize, String)> {
    let start = skip_ws(text, 0);
    if !text[start..].starts_with('[') {
        // JSON lines: one record per non-blank line.
        return text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| {
                serde_json::from_str(l).map(|v| (i + 1, v)).map_err(|e| {
                    (
                        i + 1,
                        format!("not valid JSON (column {}): {}", e.column(), syntax(&e)),
                    )
                })
            })
            .collect();
    }
    let mut cursor = LineCursor {
        text,
        pos: 0,
        line: 1,
    };
    let mut out = Vec::new();
    let mut pos = skip_ws(text, start + 1);
    if text[pos..].starts_with(']') {
        pos += 1;
    } else {
        loop {
            let line = cursor.line_at(pos);
            let mut values = serde_json::Deserializer::from_str(&text[pos..]).into_iter::<Value>();
            match values.next() {
                Some(Ok(v)) => out.push((line, v)),
                Some(Err(e)) => {
                    return Err((
                        line + e.line() - 1,
                        format!("not valid JSON: {}", syntax(&e)),
                    ))
                }
                None => return Err((line, "the array is not closed with `]`".into())),
            }
            pos = skip_ws(text, pos + values.byte_offset());
            match text[pos..].chars().next() {
                Some(',') => pos = skip_ws(text, pos + 1),
                Some(']') => {
                    pos += 1;
                    break;
                }
                None => {
                    return Err((
                        cursor.line_at(pos),
                        "the array is not closed with `]`".into(),
                    ))
                }
                _ => {
                    return Err((
                        cursor.line_at(pos),
                        "expected `,` or `]` after a record".into(),
                    ))
                }
            }
        }
    }
    let end = skip_ws(text, pos);
    if end != text.len() {
        return Err((
            cursor.line_at(end),
            "unexpected text after the array".into(),
        ));
    }
    Ok(out)
}

/// serde_json's syntax message without its position (we give our own) and without
/// quoting input, which may hold a token.
fn syntax(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    match e.classify() {
        Category::Eof => "the record ends early".into(),
        _ => {
            let text = e.to_string();
            let text = text.split(" at line ").next().unwrap_or_default();
            if text.contains('"') {
                "unexpected value".into()
            } else {
                text.to_owned()
            }
        }
    }
}

pub fn import(args: ImportArgs, ctx: &Ctx) -> Result<Attention> {
    let from_stdin = args.file.as_os_str() == "-";
    let source = if from_stdin {
        "stdin".to_owned()
    } else {
        args.file.display().to_string()
    };
    let text = if from_stdin {
        ctx.ui.read_stdin()
    } else {
        std::fs::read_to_string(&args.file)
    }
    .map_err(|e| {
        Error::failed(format!(
            "cannot read {source}: {}",
            crate::error::io_reason(&e)
        ))
    })?;
    let at = |line: usize, msg: String| {
        Error::failed(format!("import {source}:{line}: {msg}"))
            .hint("fix that record and run the import again; nothing was added")
    };

    let mut store = ctx.store()?;
    let mut taken: HashSet<ProfileId> = store
        .list(&ListFilter::default())?
        .into_iter()
        .map(|p| p.id)
        .collect();
    let mut profiles = Vec::new();
    let mut tokens: Vec<(ProfileId, TokenSet)> = Vec::new();
    for (line, value) in records(&text).map_err(|(l, m)| at(l, m))? {
        let record: Record = serde_json::from_value(value)
            .map_err(|e| at(line, e.to_string().replace("field", "key")))?;
        let id = ProfileId::parse(&record.id).map_err(|e| at(line, e))?;
        let provider = ctx
            .settings
            .provider(&record.network)
            .map_err(|e| at(line, e.message))?;
        if !taken.insert(id.clone()) {
            return Err(at(
                line,
                format!("profile `{id}` already exists (in the database or earlier in the file)"),
            ));
        }
        let mut profile = Profile::new(id.clone(), provider.name.clone(), ctx.now);
        profile.account_id = record.account_id;
        profile.account_name = record.account_name;
        profile.connected_by = Some(ctx.settings.user_at_host.clone());
        match record.token {
            Some(token) => {
                let grant = grant_from_json(&token, ctx.now)
                    .map_err(|e| at(line, format!("token: {e}")))?;
                profile.apply_grant(&grant, provider.config.scopes.as_deref(), ctx.now);
                tokens.push((id, grant.tokens));
            }
            None => profile.reauth_reason = Some(Reason::NotAuthorized),
        }
        profiles.push(profile);
    }

    let secrets = ctx.secrets(store.as_mut())?;
    ctx.remember_secret_store(store.as_mut(), secrets.as_ref())?;
    add_all(store.as_mut(), secrets.as_ref(), &profiles, &tokens)?;
    ctx.ui.info(&format!(
        "imported {} profiles ({} with tokens)",
        profiles.len(),
        tokens.len()
    ));
    Ok(Attention::None)
}

pub fn export(args: ExportArgs, ctx: &Ctx) -> Result<Attention> {
    let mut store = ctx.store()?;
    let profiles = store.list(&ListFilter::default())?;
    let secrets = if args.with_secrets {
        Some(ctx.secrets(store.as_mut())?)
    } else {
        None
    };
    let mut out = String::new();
    for p in &profiles {
        let mut record = Map::new();
        record.insert("id".into(), json!(p.id.as_str()));
        record.insert("network".into(), json!(p.network));
        if let Some(a) = &p.account_id {
            record.insert("account_id".into(), json!(a));
        }
        if let Some(a) = &p.account_name {
            record.insert("account_name".into(), json!(a));
        }
        if let Some(secrets) = &secrets {
            match get_tokens(secrets.as_ref(), &p.id)? {
                Some(tokens) => {
                    record.insert("token".into(), token_json(p, &tokens));
                }
                None => ctx.ui.warn(&format!(
                    "{}: no token in the secret store; exported without one",
                    p.id
                )),
            }
        }
        out.push_str(&Value::Object(record).to_string());
        out.push('\n');
    }
    if !out.is_empty() {
        ctx.ui.data(&out);
    }
    Ok(Attention::None)
}

/// A token response that `import` reads back into the same profile.
fn token_json(p: &Profile, tokens: &TokenSet) -> Value {
    let mut t = Map::new();
    t.insert("access_token".into(), json!(tokens.access_token.expose()));
    if let Some(r) = &tokens.refresh_token {
        t.insert("refresh_token".into(), json!(r.expose()));
    }
    if let Some(tt) = &tokens.token_type {
        t.insert("token_type".into(), json!(tt));
    }
    let time = |t: crate::domain::profile::Timestamp| {
        json!(t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
    };
    if let Some(e) = p.expires_at {
        t.insert("expires_at".into(), time(e));
    }
    if let Some(e) = p.refresh_expires_at {
        t.insert("refresh_token_expires_at".into(), time(e));
    }
    if !p.scopes.is_empty() {
        t.insert("scope".into(), json!(p.scopes.join(" ")));
    }
    Value::Object(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines_of(text: &str) -> Vec<usize> {
        records(text).unwrap().into_iter().map(|(l, _)| l).collect()
    }

    #[test]
    fn json_lines_records_know_their_line() {
        assert_eq!(lines_of("{\"a\":1}\n\n  \n{\"b\":2}\n"), [1, 4]);
        assert_eq!(records("{\"a\":1}\n{\"b\":\n").unwrap_err().0, 2);
    }

    #[test]
    fn array_records_know_their_line() {
        let text = "[\n  {\"a\": 1},\n  {\n    \"b\": 2\n  }\n]\n";
        assert_eq!(lines_of(text), [2, 3]);
        assert_eq!(lines_of("[]"), Vec::<usize>::new());
        assert_eq!(lines_of(" [ ] \n"), Vec::<usize>::new());
    }

    #[test]
    fn array_errors_know_their_line() {
        assert_eq!(records("[\n{\"a\":1},\n{\"b\" 2}\n]").unwrap_err().0, 3);
        assert_eq!(records("[\n{\"a\":1}\n{\"b\":2}\n]").unwrap_err().0, 3);
        assert_eq!(records("[\n{\"a\":1},\n").unwrap_err().0, 3);
        assert_eq!(records("[{\"a\":1}]\nx").unwrap_err().0, 2);
    }

    #[test]
    fn syntax_errors_do_not_quote_input() {
        let (_, msg) = records("{\"access_token\": \"s3cr3t\" \"x\"}").unwrap_err();
        assert!(!msg.contains("s3cr3t"), "{msg}");
    }

    /// Import texts from pieces that JSON arrays and lines are made of, and any text:
    /// `records` never panics, and an error's line is a line of the text.
    mod properties {
        use super::super::records;
        use proptest::prelude::*;

        fn piece() -> impl Strategy<Value = &'static str> {
            prop::sample::select(vec![
                "[",
                "]",
                ",",
                "{}",
                "{\"id\":\"a\"}",
                "\"é\"",
                " ",
                "\n",
                "\r\n",
                "1",
                "null",
                "\"",
                "\\",
                "ü",
                "{",
                "}",
                ":",
            ])
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(3000))]
            #[test]
            fn records_never_panic_and_name_a_real_line(parts in prop::collection::vec(piece(), 0..40)) {
                let text: String = parts.concat();
                if let Err((line, _)) = records(&text) {
                    prop_assert!(line >= 1 && line <= text.split('\n').count(), "line {} of {:?}", line, text);
                }
            }

            #[test]
            fn any_text_is_read_or_refused(text in "\\PC{0,200}") {
                let _ = records(&text);
            }
        }
    }
}
