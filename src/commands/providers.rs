//! `sbctl providers list` and `sbctl providers set-secret <provider>`.

use crate::commands::Ctx;
use crate::domain::token::Secret;
use crate::error::{Attention, Error, Result};
use crate::secrets::client_key;
use crate::store::ListFilter;
use crate::ui::Tone;
use clap::{Args, Subcommand};
use serde_json::json;
use std::collections::BTreeMap;

#[derive(Debug, Subcommand)]
pub enum ProvidersCommand {
    /// List the built-in networks and the providers from the config file
    List(ListArgs),
    /// Store a provider's client secret, read from stdin (never from the command line)
    SetSecret(SetSecretArgs),
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Print JSON instead of a table
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct SetSecretArgs {
    /// The provider (a built-in network or a [providers.NAME] section)
    pub provider: String,
}

pub fn run(cmd: ProvidersCommand, ctx: &Ctx) -> Result<Attention> {
    match cmd {
        ProvidersCommand::List(args) => list(args, ctx),
        ProvidersCommand::SetSecret(args) => set_secret(args, ctx),
    }
}

fn list(args: ListArgs, ctx: &Ctx) -> Result<Attention> {
    let store = ctx.store()?;
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    store.each(&ListFilter::default(), &mut |p| {
        *counts.entry(p.network).or_default() += 1;
    })?;
    let providers = ctx.settings.providers.values();
    if args.json {
        ctx.ui.json_array(providers.map(|p| {
            json!({
                "name": p.name,
                "built_in": p.built_in,
                "lifecycle": crate::networks::spec(&p.name).map(|s| s.lifecycle),
                "client_id": p.config.client_id,
                "profiles": counts.get(&p.name).copied().unwrap_or(0),
                "config": p.config,
            })
        }));
        return Ok(Attention::None);
    }
    let rows = providers
        .map(|p| {
            let kind = crate::networks::spec(&p.name)
                .map_or("custom (config)".to_owned(), |s| s.title.to_string());
            vec![
                (p.name.clone(), Tone::Plain),
                (kind, Tone::Plain),
                (
                    p.config.client_id.clone().unwrap_or_else(|| "-".into()),
                    Tone::Plain,
                ),
                (
                    counts.get(&p.name).copied().unwrap_or(0).to_string(),
                    Tone::Plain,
                ),
            ]
        })
        .collect();
    ctx.ui
        .table(&["NAME", "NETWORK", "CLIENT ID", "PROFILES"], rows);
    Ok(Attention::None)
}

fn set_secret(args: SetSecretArgs, ctx: &Ctx) -> Result<Attention> {
    let provider = ctx.settings.provider(&args.provider)?;
    let text = ctx
        .ui
        .read_secret(&format!("Client secret for {}: ", provider.name))
        .map_err(|e| Error::failed(format!("cannot read the client secret from stdin: {e}")))?;
    let value = text.trim_end_matches(['\n', '\r']);
    if value.is_empty() {
        return Err(Error::failed(format!(
            "{}: no client secret on stdin; nothing was stored",
            provider.name
        )));
    }
    if value.chars().any(char::is_control) || value.contains('\n') {
        return Err(Error::failed(format!(
            "{}: the client secret must be one line without control characters; nothing was stored",
            provider.name
        )));
    }
    let mut store = ctx.store()?;
    let secrets = ctx.secrets(store.as_mut())?;
    ctx.remember_secret_store(store.as_mut(), secrets.as_ref())?;
    secrets.set_many(&[(client_key(&provider.name), Secret::new(value.to_owned()))])?;
    ctx.ui.info(&format!(
        "stored the client secret for {} in {}",
        provider.name,
        secrets.location()
    ));
    // A secret without its client id is half an app: said now, not at the first use.
    if provider.config.client_id.is_none() {
        ctx.ui.warn(&format!(
            "{} has no client_id yet: set it under [providers.{}] in {} (the app id from the network's developer console)",
            provider.name,
            provider.name,
            ctx.settings.config_path.display()
        ));
    }
    if provider.env_secret.is_some() {
        ctx.ui.warn(&format!(
            "{} is set and takes precedence over the stored secret",
            crate::config::Provider::env_var(&provider.name)
        ));
    }
    Ok(Attention::None)
}
