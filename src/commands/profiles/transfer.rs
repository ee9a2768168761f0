//! `sbctl profiles import` and `export`: many profiles in and out, in one format.
//!
//! A record is `{"id", "network", "account_id"?, "account_name"?, "token"?,
//! "data_access_expires_at"?, "last_refreshed_at"?}` where `token` is a token response
//! (see `domain::token::grant_from_json`) and the last two are what a profile knew
//! beside its token (Facebook's data-access deadline, the last renewal), so that an
//! export read back is the same profile. Import validates every record first and then
//! adds them all in one transaction, or none.

use super::records::Records;
use crate::commands::Ctx;
use crate::connect::add_all;
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
    #[serde(default)]
    data_access_expires_at: Option<Value>,
    #[serde(default)]
    last_refreshed_at: Option<Value>,
}

pub fn import(args: ImportArgs, ctx: &Ctx) -> Result<Attention> {
    let from_stdin = args.file.as_os_str() == "-";
    let source = if from_stdin {
        "stdin".to_owned()
    } else {
        args.file.display().to_string()
    };
    // Read as it comes, a record at a time: the input may be of any size.
    let input: Box<dyn std::io::BufRead> = if from_stdin {
        Box::new(std::io::stdin().lock())
    } else {
        let file = std::fs::File::open(&args.file).map_err(|e| {
            Error::failed(format!(
                "cannot read {source}: {}",
                crate::error::io_reason(&e)
            ))
        })?;
        Box::new(std::io::BufReader::new(file))
    };
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
    for record in Records::new(input) {
        let (line, value) = record.map_err(|(l, m)| at(l, m))?;
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
        profile.connected_by = Some(ctx.settings.user_at_host().to_owned());
        let when = |key: &str, v: Option<Value>| -> Result<_> {
            v.filter(|v| !v.is_null())
                .map(|v| {
                    crate::domain::token::parse_time(&v)
                        .flatten()
                        .ok_or_else(|| {
                            at(
                                line,
                                format!("`{key}` must be Unix seconds or an RFC 3339 time"),
                            )
                        })
                })
                .transpose()
        };
        profile.data_access_expires_at =
            when("data_access_expires_at", record.data_access_expires_at)?;
        profile.last_refreshed_at = when("last_refreshed_at", record.last_refreshed_at)?;
        match record.token {
            Some(token) => {
                let grant = grant_from_json(&token, ctx.now)
                    .map_err(|e| at(line, format!("token: {e}")))?;
                profile.apply_grant(&grant, provider.config.scopes.as_deref(), ctx.now);
                tokens.push((id, grant.tokens));
            }
            None => profile.needs_reauth(Reason::NotAuthorized),
        }
        profiles.push(profile);
    }

    let secrets = ctx.secrets(store.as_mut())?;
    ctx.remember_secret_store(store.as_mut(), secrets.as_ref())?;
    add_all(store.as_mut(), secrets.as_ref(), &profiles, &tokens)?;
    ctx.ui.info(&format!(
        "imported {} ({} with tokens)",
        crate::ui::count(profiles.len(), "profile", "profiles"),
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
        for (key, t) in [
            ("data_access_expires_at", p.data_access_expires_at),
            ("last_refreshed_at", p.last_refreshed_at),
        ] {
            if let Some(t) = t {
                record.insert(key.into(), rfc3339(t));
            }
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
    match p.expires_at {
        Some(e) => {
            t.insert("expires_at".into(), rfc3339(e));
        }
        // As Facebook's `debug_token` says it, and `import` reads it.
        None if p.expires_never => {
            t.insert("expires_at".into(), json!(0));
        }
        None => {}
    }
    if let Some(e) = p.refresh_expires_at {
        t.insert("refresh_token_expires_at".into(), rfc3339(e));
    }
    if !p.scopes.is_empty() {
        t.insert("scope".into(), json!(p.scopes.join(" ")));
    }
    Value::Object(t)
}

fn rfc3339(t: crate::domain::profile::Timestamp) -> Value {
    json!(t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}
