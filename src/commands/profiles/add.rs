//! `sbctl profiles add <id> --network N`: connect a new profile through the browser
//! (see `reauth`), or with `--with-token` register a token obtained elsewhere. The token goes to the secret store first, then the row to the database;
//! if the row cannot be written the token is taken back out, so nothing is half-added.

use crate::commands::authorize::{self, Given};
use crate::commands::reauth::{apply, connect, FlowArgs, Siblings};
use crate::commands::Ctx;
use crate::connect::{add_all, Target};
use crate::domain::profile::{parse_owner, Profile, ProfileId, Tags};
use crate::domain::token::grant_from_json;
use crate::error::{Attention, Error, Result};
use crate::store::StoreError;
use clap::Args;

#[derive(Debug, Args)]
pub struct AddArgs {
    /// The new profile's id: 1-64 of a-z, 0-9, '.', '_', '-'
    #[arg(required_unless_present = "all")]
    pub id: Option<ProfileId>,
    /// The network (facebook, instagram, threads, x, linkedin, youtube, tiktok,
    /// pinterest) or a provider from the config file
    #[arg(long, value_name = "N")]
    pub network: String,
    /// The account to connect, by id or name, where one sign-in reaches several (Pages,
    /// channels); with --with-token, recorded as the account id
    #[arg(long, value_name = "A")]
    pub account: Option<String>,
    /// Read the sign-in from stdin: a line of `sbctl authorize`, a raw access token or a
    /// JSON token response
    #[arg(long, conflicts_with_all = ["no_browser", "port", "device"])]
    pub with_token: bool,
    /// Whom to contact about it: an e-mail address
    #[arg(long, value_name = "EMAIL", value_parser = parse_owner)]
    pub owner: Option<String>,
    /// A tag, key=value (as client=acme); repeat for more
    #[arg(long = "tag", value_name = "KEY=VALUE", value_parser = super::tag)]
    pub tags: Vec<(String, String)>,
    /// Connect every account the sign-in reaches (Pages, Instagram accounts, channels,
    /// organizations), a profile each, all or none
    #[arg(long, conflicts_with_all = ["id", "with_token", "account"])]
    pub all: bool,
    /// With --all, each profile's id: {network}, {slug} (from the account's name) and
    /// {account} (its id), made unique with -2, -3...
    #[arg(
        long,
        value_name = "T",
        default_value = "{network}-{slug}",
        requires = "all"
    )]
    pub id_template: String,
    /// With --all, list the profiles it would add and add none
    #[arg(long, requires = "all")]
    pub dry_run: bool,
    #[command(flatten)]
    pub flow: FlowArgs,
}

pub fn run(args: AddArgs, ctx: &Ctx) -> Result<Attention> {
    let provider = ctx.settings.provider(&args.network)?;
    let mut store = ctx.store()?;
    let Some(id) = args.id.clone() else {
        return super::every::run(args, ctx, (provider, store.as_mut()));
    };
    if store.get(&id)?.is_some() {
        return Err(StoreError::Duplicate(id).into());
    }
    let tags: Tags = args.tags.into_iter().collect();
    let target = Target::New {
        id: id.clone(),
        account: args.account.clone(),
        labels: (args.owner.clone(), tags.clone()),
    };
    if !args.with_token {
        return connect(
            ctx,
            store.as_mut(),
            provider,
            target,
            (&args.flow, Siblings::Skip),
        );
    }
    let input = ctx
        .ui
        .read_secret(
            "Paste the line `sbctl authorize` printed, an access token or a JSON token response: ",
        )
        .map_err(|e| Error::failed(format!("cannot read the token from stdin: {e}")))?;
    let secrets = ctx.secrets(store.as_mut())?;
    let token =
        match authorize::read(secrets.as_ref(), &input, ctx.now).map_err(|e| e.about(&id))? {
            // A sign-in made elsewhere is held to the rules of one made here.
            carried @ Given::Carried(..) => {
                return apply(
                    ctx,
                    (store.as_mut(), secrets.as_ref()),
                    provider,
                    target,
                    carried,
                );
            }
            Given::Token(token) => token,
        };
    let grant =
        grant_from_json(&token, ctx.now).map_err(|e| Error::failed(format!("{id}: {e}")))?;

    let mut profile = Profile::new(id.clone(), provider.name.clone(), ctx.now);
    profile.account_id = args.account.clone();
    let missing = profile.apply_grant(&grant, provider.config.scopes.as_deref(), ctx.now);
    profile.connected_by = Some(ctx.settings.user_at_host().to_owned());
    (profile.owner, profile.tags) = (args.owner, tags);

    ctx.remember_secret_store(store.as_mut(), secrets.as_ref())?;
    add_all(
        store.as_mut(),
        secrets.as_ref(),
        &[profile.clone()],
        &[(id.clone(), grant.tokens)],
    )?;

    let health = ctx.health(&profile);
    if !missing.is_empty() {
        ctx.ui.warn(&format!(
            "{}: the token lacks the scopes {}; run `sbctl reauth {}` to grant them",
            profile.id,
            missing.join(", "),
            profile.id
        ));
    }
    ctx.ui.info(&format!(
        "added {} ({}): {}",
        profile.id,
        profile.network,
        crate::view::status_words(&health, ctx.now).0
    ));
    // Added is success; only a profile that is unusable from the start is not (exit 3).
    Ok(match crate::commands::attention(&health) {
        Attention::Reauth => Attention::Reauth,
        _ => Attention::None,
    })
}
