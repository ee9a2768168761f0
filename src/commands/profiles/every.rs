//! `sbctl profiles add --all --network N`: one sign-in, a profile for every account it
//! reaches (a Facebook user's Pages, the Instagram accounts linked to them, a Google
//! account's channels, a LinkedIn member's organizations). The ids come from a template
//! and the accounts' names, made unique; they are listed before anything is written;
//! then every account is finished and all are added in one go, or none.

use super::add::AddArgs;
use crate::commands::reauth::{browser, sign_in};
use crate::commands::Ctx;
use crate::config::Provider;
use crate::connect::{add_all, answer_page, Connected, Flow, Reached, SignedIn, Target};
use crate::domain::profile::{ProfileId, Tags};
use crate::error::{Attention, Error, Result};
use crate::store::{ListFilter, ProfileStore};
use std::collections::{BTreeSet, HashMap};

/// One account to add: the profile id it gets, and the account (id, name).
struct Planned {
    id: ProfileId,
    account: String,
    name: Option<String>,
}

pub fn run(
    args: AddArgs,
    ctx: &Ctx,
    (provider, store): (&Provider, &mut dyn ProfileStore),
) -> Result<Attention> {
    // A template that cannot make an id is refused before anyone signs in.
    render(&args.id_template, &provider.name, "name", "id")?;
    let http = ctx.http();
    let secrets = ctx.secrets(store)?;
    let net = ctx.resolve(provider, secrets.as_ref(), &http)?;
    let browser = browser(ctx);
    let flow = args.flow.flow(ctx, (&net, &http), &browser);
    // The name the flow's messages give the sign-in: no profile is called that.
    let label = ProfileId::parse("sbctl").expect("a valid id");
    let (all, _) = sign_in(
        ctx,
        &flow,
        (&label, args.flow.device),
        |(token, origin, _)| {
            let reached = flow.reach(&label, Some(&*store), origin, token)?;
            let all = every(ctx, &flow, &*store, reached, &args)?;
            if !args.dry_run {
                ctx.remember_secret_store(store, secrets.as_ref())?;
                let profiles: Vec<_> = all.iter().map(|c| c.profile.clone()).collect();
                let tokens: Vec<_> = all
                    .iter()
                    .map(|c| (c.profile.id.clone(), c.tokens.clone()))
                    .collect();
                add_all(store, secrets.as_ref(), &profiles, &tokens)?;
            }
            Ok(all)
        },
        |browser, result| answer(browser, result, args.dry_run),
    )?;
    if args.dry_run {
        ctx.ui.info(&format!(
            "--dry-run: nothing was added ({})",
            crate::ui::count(all.len(), "profile", "profiles")
        ));
        return Ok(Attention::None);
    }
    let mut attention = Attention::None;
    for c in &all {
        if !c.missing.is_empty() {
            ctx.ui.warn(&format!(
                "{}: {} granted fewer scopes than asked for; missing: {}",
                c.profile.id,
                net.name,
                c.missing.join(", ")
            ));
        }
        if let Attention::Reauth = crate::commands::attention(&ctx.health(&c.profile)) {
            attention = Attention::Reauth;
        }
    }
    ctx.ui.info(&format!(
        "added {} ({})",
        crate::ui::count(all.len(), "profile", "profiles"),
        net.name
    ));
    Ok(attention)
}

/// Plans the profiles, lists them, and (but on `--dry-run`) finishes every account.
fn every(
    ctx: &Ctx,
    flow: &Flow,
    store: &dyn ProfileStore,
    mut reached: Reached,
    args: &AddArgs,
) -> Result<Vec<Connected>> {
    let plan = plan(flow, store, &reached, &args.id_template, ctx)?;
    let width = plan.iter().map(|p| p.id.as_str().len()).max().unwrap_or(0);
    ctx.ui.info(&format!(
        "this {} sign-in reaches {} to add:",
        flow.net.name,
        crate::ui::count(plan.len(), "account", "accounts")
    ));
    for p in &plan {
        ctx.ui.info(&format!(
            "  {:width$}  {}",
            p.id.as_str(),
            crate::connect::who(p.name.as_deref(), &p.account)
        ));
    }
    if args.dry_run {
        return Ok(Vec::new());
    }
    let tags: Tags = args.tags.iter().cloned().collect();
    plan.into_iter()
        .map(|p| {
            let target = Target::New {
                id: p.id,
                account: Some(p.account),
                labels: (args.owner.clone(), tags.clone()),
            };
            flow.complete_from(Some(store), &mut reached, target, None)
        })
        .collect()
}

/// The profiles to add: an id for each account reached that no profile of this
/// network has yet.
fn plan(
    flow: &Flow,
    store: &dyn ProfileStore,
    reached: &Reached,
    template: &str,
    ctx: &Ctx,
) -> Result<Vec<Planned>> {
    let reachable: BTreeSet<&str> = reached
        .connections
        .iter()
        .filter_map(|c| c.account.as_ref().map(|a| a.id.as_str()))
        .collect();
    let mut connected: HashMap<String, ProfileId> = HashMap::new();
    let filter = ListFilter {
        network: Some(flow.net.name.clone()),
        ..Default::default()
    };
    store.each(&filter, &mut |p| {
        if let Some(a) = p.account_id.as_deref().filter(|a| reachable.contains(a)) {
            connected.insert(a.to_owned(), p.id);
        }
    })?;
    let mut ids = BTreeSet::new();
    let mut plan = Vec::new();
    for a in reached
        .connections
        .iter()
        .filter_map(|c| c.account.as_ref())
    {
        let who = crate::connect::who(a.name.as_deref(), &a.id);
        if let Some(id) = connected.get(&a.id) {
            ctx.ui.info(&format!(
                "{who}: already connected as {id} (`sbctl reauth {id}` renews it)"
            ));
            continue;
        }
        let base = render(
            template,
            &flow.net.name,
            a.name.as_deref().unwrap_or(&a.id),
            &a.id,
        )?;
        let mut taken = |candidate: &ProfileId| -> Result<bool> {
            Ok(ids.contains(candidate.as_str()) || store.get(candidate)?.is_some())
        };
        let id = unique(base, &mut taken)?;
        ids.insert(id.as_str().to_owned());
        plan.push(Planned {
            id,
            account: a.id.clone(),
            name: a.name.clone(),
        });
    }
    if plan.is_empty() {
        return Err(Error::failed(format!(
            "this {} sign-in reaches no account that is not connected already; nothing was added",
            flow.net.name
        )));
    }
    Ok(plan)
}

/// The template's id for one account: `{network}`, `{slug}` (its name) and `{account}`
/// (its id), each made a slug.
fn render(template: &str, network: &str, name: &str, account: &str) -> Result<ProfileId> {
    let mut text = template.to_owned();
    for (key, value) in [
        ("{network}", network),
        ("{slug}", name),
        ("{account}", account),
    ] {
        text = text.replace(key, &slug(value));
    }
    let shown = template.escape_debug();
    if text.contains(['{', '}']) {
        return Err(Error::usage(format!(
            "--id-template `{shown}` has a placeholder sbctl does not know"
        ))
        .hint("use {network}, {slug} (from the account's name) and {account} (its id)"));
    }
    let cut: String = text.chars().take(64).collect();
    ProfileId::parse(cut.trim_end_matches(['-', '.', '_'])).map_err(|_| {
        Error::usage(format!(
            "--id-template `{shown}` makes `{}`, which is not a profile id",
            text.escape_debug()
        ))
        .hint("a profile id is 1-64 of a-z, 0-9, '.', '_', '-', starting with a letter or digit")
    })
}

/// `text` in lower case, every run of other characters than a-z and 0-9 one `-`.
fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-');
    match out.is_empty() {
        true => "account".to_owned(),
        false => out.to_owned(),
    }
}

/// `base`, or `base-2`, `base-3`... (cut to fit 64), whichever is not taken.
fn unique(base: ProfileId, taken: &mut dyn FnMut(&ProfileId) -> Result<bool>) -> Result<ProfileId> {
    if !taken(&base)? {
        return Ok(base);
    }
    for n in 2.. {
        let suffix = format!("-{n}");
        let stem: String = base.as_str().chars().take(64 - suffix.len()).collect();
        let candidate = ProfileId::parse(&format!("{stem}{suffix}")).expect("a slug and a number");
        if !taken(&candidate)? {
            return Ok(candidate);
        }
    }
    unreachable!("some number is free")
}

/// Answers the browser with what became of the sign-in.
fn answer(signed: &mut SignedIn, result: &Result<Vec<Connected>>, dry_run: bool) {
    let done = match result {
        Ok(all) if dry_run || all.is_empty() => {
            Ok("signed in; nothing was added (--dry-run).".to_owned())
        }
        Ok(all) => Ok(format!(
            "{} connected.",
            crate::ui::count(all.len(), "account is", "accounts are")
        )),
        Err(e) => Err(e),
    };
    match &done {
        Ok(words) => answer_page(signed, Ok(words)),
        Err(e) => answer_page(signed, Err(("nothing was added", e))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_come_from_names_as_slugs() {
        let id = |t: &str, name: &str| render(t, "facebook", name, "1234").map(|i| i.to_string());
        assert_eq!(
            id("{network}-{slug}", "Acme Bakery!").unwrap(),
            "facebook-acme-bakery"
        );
        assert_eq!(id("{slug}", "Café Été").unwrap(), "caf-t");
        assert_eq!(id("{slug}", "日本").unwrap(), "account");
        assert_eq!(id("fb-{account}", "x").unwrap(), "fb-1234");
        assert!(id("{nope}", "x").is_err());
        assert!(id("-{slug}", "x").is_err());
        let long = "a".repeat(80);
        assert_eq!(id("{slug}", &long).unwrap().len(), 64);
    }

    #[test]
    fn taken_ids_get_a_number() {
        let base = ProfileId::parse(&"b".repeat(64)).unwrap();
        let mut taken = |c: &ProfileId| Ok(!c.as_str().ends_with("-3"));
        let id = unique(base, &mut taken).unwrap();
        assert_eq!(id.as_str().len(), 64);
        assert!(id.as_str().ends_with("b-3"));
    }
}
