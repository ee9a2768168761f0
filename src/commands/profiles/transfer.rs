//! `sbctl profiles import` and `export`: many profiles in and out, in one format.
//!
//! A record is `{"id", "network", "account_id"?, "account_name"?, "login_id"?, "owner"?, "tags"?,
//! "token"?, "data_access_expires_at"?, "last_refreshed_at"?}` where `token` is a token response
//! (see `domain::token::grant_from_json`) and the last two are what a profile knew
//! beside its token (Facebook's data-access deadline, the last renewal), so that an
//! export read back is the same profile. Import adds the records as it reads them, in
//! one transaction, and rolls it back at the first bad one: all or none. Both stream.

use super::records::Records;
use crate::commands::Ctx;
use crate::domain::profile::{
    parse_owner, parse_tag_key, parse_tag_value, Profile, ProfileId, Reason,
};
use crate::domain::token::{grant_from_json, TokenSet};
use crate::error::{Attention, Error, Result};
use crate::secrets::{get_tokens, token_entries};
use crate::store::{ListFilter, StoreError};
use clap::Args;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// A file of JSON lines or a JSON array of records; `-` reads stdin
    #[arg(value_name = "FILE|-")]
    pub file: PathBuf,
    /// Replace the profiles whose ids exist (each such record must carry its token);
    /// still all or nothing
    #[arg(long)]
    pub replace: bool,
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
    login_id: Option<String>,
    #[serde(default)]
    owner: Option<String>,
    #[serde(default)]
    tags: std::collections::BTreeMap<String, String>,
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

    // Records are added as they are read, in one transaction of each store: memory
    // does not grow with the file, and the first bad record rolls everything back.
    let mut store = ctx.store()?;
    let secrets = ctx.secrets(store.as_mut())?;
    ctx.remember_secret_store(store.as_mut(), secrets.as_ref())?;
    let mut vault = secrets.batch()?;
    let mut rows = store.adding()?;
    let (mut added, mut with_tokens, mut replaced) = (0, 0, 0);
    for record in Records::new(input) {
        let (line, value) = record.map_err(|(l, m)| at(l, m))?;
        let (profile, tokens) = profile_of(ctx, value).map_err(|m| at(line, m))?;
        let stored = match args.replace {
            true => rows.replace(&profile, ctx.now),
            false => rows.add(&profile).map(|()| false),
        };
        let stored = stored.map_err(|e| match e {
            StoreError::Duplicate(id) if args.replace => {
                at(line, format!("profile `{id}` came earlier in the file"))
            }
            StoreError::Duplicate(id) => at(
                line,
                format!("profile `{id}` already exists (in the database or earlier in the file)"),
            )
            .hint("to replace the profiles that exist, run the import with --replace"),
            e @ StoreError::Renewing(_) => Error::failed(format!(
                "import {source}:{line}: {e}; nothing was added"
            ))
            .hint("run the import again when that renewal has ended (in a few minutes at most)"),
            e => e.into(),
        })?;
        if stored {
            if tokens.is_none() {
                return Err(at(
                    line,
                    format!("profile `{}` exists, and a record that replaces it must carry its token", profile.id),
                )
                .hint("add its `token`, or change only its owner and tags with `sbctl profiles edit`; nothing was added"));
            }
            replaced += 1;
        }
        if let Some(tokens) = tokens {
            for (key, value) in token_entries(&[(profile.id, tokens)]) {
                vault.set(key, value)?;
            }
            with_tokens += 1;
        }
        added += 1;
    }
    // The tokens first: a profile is never seen without the token it came with.
    vault.commit()?;
    rows.commit().map_err(|e| {
        let replaced = match replaced {
            0 => "",
            _ => " (the profiles it replaces hold its tokens already)",
        };
        Error::from(e).hint(format!(
            "the tokens were stored but the profiles were not{replaced}: run the same import again"
        ))
    })?;
    let replaced = match replaced {
        0 => String::new(),
        n => format!("; {n} replaced"),
    };
    ctx.ui.info(&format!(
        "imported {} ({with_tokens} with tokens{replaced})",
        crate::ui::count(added, "profile", "profiles"),
    ));
    Ok(Attention::None)
}

/// The profile a record describes, and its tokens; or what is wrong with it.
fn profile_of(ctx: &Ctx, value: Value) -> std::result::Result<(Profile, Option<TokenSet>), String> {
    let record: Record =
        serde_json::from_value(value).map_err(|e| e.to_string().replace("field", "key"))?;
    let id = ProfileId::parse(&record.id)?;
    let provider = ctx
        .settings
        .provider(&record.network)
        .map_err(|e| e.message)?;
    let mut profile = Profile::new(id, provider.name.clone(), ctx.now);
    profile.account_id = record.account_id;
    profile.account_name = record.account_name;
    profile.login_id = record.login_id;
    profile.connected_by = Some(ctx.settings.user_at_host().to_owned());
    profile.owner = record.owner.as_deref().map(parse_owner).transpose()?;
    for (key, value) in record.tags {
        let key = parse_tag_key(&key)?;
        let value = parse_tag_value(&key, &value)?;
        profile.tags.insert(key, value);
    }
    let when = |key: &str, v: Option<Value>| {
        v.filter(|v| !v.is_null())
            .map(|v| {
                crate::domain::token::parse_time(&v)
                    .flatten()
                    .ok_or_else(|| format!("`{key}` must be Unix seconds or an RFC 3339 time"))
            })
            .transpose()
    };
    profile.data_access_expires_at = when("data_access_expires_at", record.data_access_expires_at)?;
    profile.last_refreshed_at = when("last_refreshed_at", record.last_refreshed_at)?;
    match record.token {
        Some(token) => {
            let grant = grant_from_json(&token, ctx.now).map_err(|e| format!("token: {e}"))?;
            profile.apply_grant(&grant, provider.config.scopes.as_deref(), ctx.now);
            Ok((profile, Some(grant.tokens)))
        }
        None => {
            profile.needs_reauth(Reason::NotAuthorized);
            Ok((profile, None))
        }
    }
}

pub fn export(args: ExportArgs, ctx: &Ctx) -> Result<Attention> {
    let mut store = ctx.store()?;
    let secrets = if args.with_secrets {
        Some(ctx.secrets(store.as_mut())?)
    } else {
        None
    };
    // Written as read, a record a line: a million profiles cost what one does. A
    // failure part-way (a token that cannot be read) stops the output there, with the
    // error, and exit 1: a pipe's reader sees a short file and a failed command.
    // `stop` is why writing ended early: the reader left (`None`) or an error.
    let mut stop: Option<Option<Error>> = None;
    let mut line = Vec::new();
    ctx.write_output(None, |out| {
        let read = store.each(&ListFilter::default(), &mut |p| {
            if stop.is_some() {
                return;
            }
            match record(ctx, &p, secrets.as_deref()) {
                Ok(record) => {
                    line.clear();
                    let _ = serde_json::to_writer(&mut line, &record);
                    line.push(b'\n');
                    match out.write_all(&line) {
                        Ok(()) => {}
                        // The reader went away (`| head`): nothing more to write.
                        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => stop = Some(None),
                        Err(e) => {
                            stop = Some(Some(Error::failed(format!(
                                "cannot write the output: {}",
                                crate::error::io_reason(&e)
                            ))))
                        }
                    }
                }
                Err(e) => stop = Some(Some(e)),
            }
        });
        if let Err(e) = read {
            stop.get_or_insert(Some(e.into()));
        }
        Ok(())
    })?;
    match stop {
        Some(Some(e)) => Err(e),
        _ => Ok(Attention::None),
    }
}

/// A profile's network and account (its id and name, the network's user behind it), as
/// export records and `sbctl authorize`'s lines give them.
pub fn account_fields(p: &Profile, record: &mut Map<String, Value>) {
    record.insert("network".into(), json!(p.network));
    for (key, value) in [
        ("account_id", &p.account_id),
        ("account_name", &p.account_name),
        ("login_id", &p.login_id),
    ] {
        if let Some(v) = value {
            record.insert(key.into(), json!(v));
        }
    }
}

/// One profile's export record.
fn record(
    ctx: &Ctx,
    p: &Profile,
    secrets: Option<&dyn crate::secrets::SecretStore>,
) -> Result<Value> {
    let mut record = Map::new();
    record.insert("id".into(), json!(p.id.as_str()));
    account_fields(p, &mut record);
    if let Some(o) = &p.owner {
        record.insert("owner".into(), json!(o));
    }
    if !p.tags.is_empty() {
        record.insert("tags".into(), json!(p.tags));
    }
    for (key, t) in [
        ("data_access_expires_at", p.data_access_expires_at),
        ("last_refreshed_at", p.last_refreshed_at),
    ] {
        if let Some(t) = t {
            record.insert(key.into(), rfc3339(t));
        }
    }
    if let Some(secrets) = secrets {
        match get_tokens(secrets, &p.id)? {
            Some(tokens) => {
                record.insert("token".into(), token_json(p, &tokens));
            }
            None => ctx.ui.warn(&format!(
                "{}: no token in the secret store; exported without one",
                p.id
            )),
        }
    }
    Ok(Value::Object(record))
}

/// A token response that `import` reads back into the same profile.
pub fn token_json(p: &Profile, tokens: &TokenSet) -> Value {
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
