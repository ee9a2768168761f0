//! `sbctl authorize <network|provider>`: the browser sign-in on the machine that has
//! the browser, keeping nothing there (no database, no secret store, no keyring). It
//! prints one line: the sign-in's result (tokens, account, scopes, deadlines, when and
//! by whom it was made) as JSON, sealed with age to the server's recipient (`sbctl
//! secrets recipient` there) or, without `--to`, in the clear. On the server, `sbctl
//! reauth <id> --with-token` and `profiles add --with-token` take that line (`read`).

use crate::commands::reauth::{sign_in, FlowArgs};
use crate::commands::Ctx;
use crate::connect::{answer_page, Carried, Connected, Target};
use crate::domain::profile::{ProfileId, Timestamp};
use crate::domain::token::parse_time;
use crate::error::{Attention, Error, Result};
use crate::networks::Account;
use crate::secrets::host::Unopened;
use crate::secrets::SecretStore;
use base64::Engine;
use clap::Args;
use serde_json::{json, Map, Value};

/// What a sealed line starts with; the rest is the age file, base64.
const SEALED: &str = "sbctl-sealed:";
/// The JSON key that marks a line of `sbctl authorize`, and its format's version.
const MARK: &str = "sbctl_authorization";
const VERSION: u64 = 1;

#[derive(Debug, Args)]
pub struct AuthorizeArgs {
    /// The network (facebook, instagram, threads, x, linkedin, youtube, tiktok,
    /// pinterest) or a provider from the config file
    #[arg(value_name = "NETWORK|PROVIDER")]
    pub network: String,
    /// The account to authorize, by id or name, where one sign-in reaches several
    #[arg(long, value_name = "A")]
    pub account: Option<String>,
    /// Seal the line to this age recipient: the server's `sbctl secrets recipient`
    #[arg(long, value_name = "RECIPIENT")]
    pub to: Option<String>,
    #[command(flatten)]
    pub flow: FlowArgs,
}

pub fn run(args: AuthorizeArgs, ctx: &Ctx) -> Result<Attention> {
    let provider = ctx.settings.provider(&args.network)?;
    if let Some(to) = &args.to {
        // Before the sign-in, not after it: a typo must not cost one.
        crate::secrets::host::seal(to, b"").map_err(|e| {
            Error::usage(e)
                .hint("--to takes the line `sbctl secrets recipient` prints on the server")
        })?;
    }
    let http = ctx.http();
    let net = ctx.resolve_alone(provider, &http)?;
    let browser = crate::commands::reauth::browser(ctx);
    let flow = args.flow.flow(ctx, (&net, &http), &browser);
    // The name the flow's messages give it: nothing is stored under it.
    let id = ProfileId::parse("sbctl").expect("a valid id");
    let target = Target::New {
        id: id.clone(),
        account: args.account,
        labels: Default::default(),
    };
    let (connected, _) = sign_in(
        ctx,
        &flow,
        (&id, args.flow.device),
        |(token, origin, typed)| {
            let mut reached = flow.reach(&id, None, origin, token)?;
            flow.complete_from(None, &mut reached, target, typed)
        },
        |browser, result| {
            let outcome = match result {
                Ok(_) => Ok("signed in; the result is in the terminal."),
                Err(e) => Err(("nothing was authorized", e)),
            };
            answer_page(browser, outcome);
        },
    )?;
    if !connected.missing.is_empty() {
        ctx.ui.warn(&format!(
            "{} granted fewer scopes than asked for; missing: {}",
            net.name,
            connected.missing.join(", ")
        ));
    }
    let client = &net.client.credentials.client_id;
    let plain = line(&connected, (ctx.now, flow.by), client).to_string();
    let printed = match &args.to {
        Some(to) => {
            let sealed = crate::secrets::host::seal(to, plain.as_bytes()).map_err(Error::failed)?;
            format!(
                "{SEALED}{}",
                base64::engine::general_purpose::STANDARD.encode(sealed)
            )
        }
        None => {
            ctx.ui.warn("the line below holds the tokens in the clear: pass it on only where no one else reads it, or use --to with the server's `sbctl secrets recipient`");
            plain
        }
    };
    ctx.ui.data(&printed);
    Ok(Attention::None)
}

/// The sign-in as a JSON object: an export record without an id, and when and by
/// whom it was made.
fn line(c: &Connected, (now, by): (Timestamp, &str), client_id: &str) -> Value {
    let p = &c.profile;
    let mut o = Map::new();
    o.insert(MARK.into(), json!(VERSION));
    crate::commands::profiles::transfer::account_fields(p, &mut o);
    o.insert("client_id".into(), json!(client_id));
    o.insert("renewable".into(), json!(p.renewable));
    if let Some(t) = p.data_access_expires_at {
        o.insert("data_access_expires_at".into(), json!(t.timestamp()));
    }
    o.insert("made_at".into(), json!(now.timestamp()));
    o.insert("made_by".into(), json!(by));
    o.insert(
        "token".into(),
        crate::commands::profiles::transfer::token_json(p, &c.tokens),
    );
    Value::Object(o)
}

/// A sign-in given on stdin.
pub enum Given {
    /// A line of `sbctl authorize`, and who made it (`user@host`).
    Carried(Box<Carried>, String),
    /// A raw access token or a JSON token response, as a token response.
    Token(Value),
}

/// Reads what was given on stdin: a sealed line (opened with this host's identity),
/// a line in the clear, a JSON token response or a raw access token.
pub fn read(secrets: &dyn SecretStore, input: &str, now: Timestamp) -> Result<Given> {
    let text = input.trim();
    let text = match text.strip_prefix(SEALED) {
        Some(sealed) => open(secrets, sealed)?,
        None => text.to_owned(),
    };
    if text.starts_with('{') {
        if let Ok(value) = serde_json::from_str::<Value>(&text) {
            if value.get(MARK).is_some() {
                return carried(value, now).map_err(|e| {
                    Error::failed(format!("the line of `sbctl authorize` cannot be used: {e}"))
                        .hint("copy the whole line, or run `sbctl authorize` again")
                });
            }
        }
    }
    crate::domain::token::token_input(&text)
        .map(Given::Token)
        .map_err(Error::failed)
}

/// A sealed line opened with this host's identity.
fn open(secrets: &dyn SecretStore, sealed: &str) -> Result<String> {
    let damaged = || {
        Error::failed("the sealed line is damaged")
            .hint("copy the whole line, or run `sbctl authorize` again")
    };
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(sealed.trim())
        .map_err(|_| damaged())?;
    let elsewhere = |mine: String| {
        Error::failed(format!(
            "the line was sealed to another recipient, not to this host's ({mine})"
        ))
        .hint("on the machine with the browser, run `sbctl authorize ... --to` with the recipient `sbctl secrets recipient` prints here")
    };
    let Some(identity) = crate::secrets::host::existing(secrets)? else {
        return Err(elsewhere(
            "this host has none yet; `sbctl secrets recipient` makes it".into(),
        ));
    };
    let plain = crate::secrets::host::open(&identity, &bytes).map_err(|why| match why {
        Unopened::Elsewhere => elsewhere(identity.to_public().to_string()),
        Unopened::Damaged => damaged(),
    })?;
    String::from_utf8(plain).map_err(|_| damaged())
}

/// A line's JSON as a carried sign-in.
fn carried(value: Value, now: Timestamp) -> std::result::Result<Given, String> {
    let version = value[MARK]
        .as_u64()
        .ok_or(format!("`{MARK}` is not a number"))?;
    if version > VERSION {
        return Err(format!(
            "it was made by a newer sbctl (format {version}); upgrade this one"
        ));
    }
    let text = |key: &str| -> std::result::Result<Option<String>, String> {
        match &value[key] {
            Value::Null => Ok(None),
            Value::String(s) => Ok(Some(s.clone())),
            _ => Err(format!("`{key}` is not a string")),
        }
    };
    let time = |key: &str| -> std::result::Result<Option<Timestamp>, String> {
        match &value[key] {
            Value::Null => Ok(None),
            v => parse_time(v)
                .flatten()
                .map(Some)
                .ok_or(format!("`{key}` is not a time")),
        }
    };
    let network = text("network")?.ok_or("it names no network")?;
    let made_at = time("made_at")?.ok_or("it does not say when it was made")?;
    let made_by = text("made_by")?.unwrap_or_else(|| "someone".into());
    let account = text("account_id")?.map(|id| Account {
        id,
        name: text("account_name").ok().flatten(),
    });
    let grant = crate::domain::token::grant_from_json(&value["token"], now)
        .map_err(|e| format!("token: {e}"))?;
    let c = Carried {
        network,
        account,
        grant,
        renewable: value["renewable"].as_bool().unwrap_or(false),
        data_access_expires_at: time("data_access_expires_at")?,
        login: text("login_id")?,
        client_id: text("client_id")?,
        made_at,
    };
    Ok(Given::Carried(Box::new(c), made_by))
}
