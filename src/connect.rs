//! The sign-in flow that `reauth` and `profiles add` share, in three steps:
//! `sign_in` (the authorize URL with PKCE and state, the browser, the loopback listener
//! or a pasted address) gives a `Callback`; `complete` (the code exchange, the accounts
//! the sign-in reaches, the identity rule) gives a `Connected`; `store` writes the
//! tokens, then the row. The browser that is waiting is answered once, from the result.
//!
//! Its seams: what it says and asks goes through a `Prompter`, the browser is a
//! function given by the caller, and the network is a resolved `Net` with its HTTP
//! client, so a test can drive a sign-in without a person or a browser.

use crate::domain::failure::Failure;
use crate::domain::profile::{Profile, ProfileId, Timestamp};
use crate::domain::token::TokenSet;
use crate::error::{Error, Result};
use crate::networks::{Account, Connection, Net, Problem, Revocation, Verdict};
use crate::oauth::browser::Opened;
use crate::oauth::callback::Callback;
use crate::oauth::client::{authorize, Authorization};
use crate::oauth::device::{self, Poll};
use crate::oauth::listener::{respond, Arrival, Hint, Listener, Request};
use crate::secrets::{profile_key, token_entries, SecretStore};
use crate::store::{ListFilter, ProfileStore};
use std::sync::mpsc::Receiver;
use std::time::Duration;

/// How long a sign-in may take before sbctl says what most often goes wrong.
const HINT_AFTER: Duration = Duration::from_secs(30);

/// What the flow connects: a new profile, or an existing one.
pub enum Target {
    New {
        id: ProfileId,
        account: Option<String>,
        /// Its owner and tags, stored with it.
        labels: (Option<String>, crate::domain::profile::Tags),
    },
    Existing {
        profile: Box<Profile>,
        allow_account_change: bool,
    },
}

impl Target {
    pub fn id(&self) -> &ProfileId {
        match self {
            Target::New { id, .. } => id,
            Target::Existing { profile, .. } => &profile.id,
        }
    }
}

/// Where the flow speaks to the person signing in.
pub trait Prompter {
    fn notice(&self, text: &str);
    fn warn(&self, text: &str);
    /// Lines typed on the terminal (a pasted address, a chosen number), when the
    /// flow runs on one.
    fn typed(&self) -> Option<Receiver<String>>;
    /// Shows an address as a QR code, where someone may scan it.
    fn qr_code(&self, _address: &str) {}
}

impl Prompter for crate::ui::Ui {
    fn notice(&self, text: &str) {
        crate::ui::Ui::notice(self, text);
    }

    fn warn(&self, text: &str) {
        crate::ui::Ui::warn(self, text);
    }

    fn qr_code(&self, address: &str) {
        crate::ui::Ui::qr_code(self, address);
    }

    fn typed(&self) -> Option<Receiver<String>> {
        use std::io::BufRead;
        self.stdin_is_terminal().then(|| {
            let (tx, rx) = std::sync::mpsc::channel();
            std::thread::spawn(move || {
                for line in std::io::stdin().lock().lines().map_while(|l| l.ok()) {
                    if tx.send(line).is_err() {
                        break;
                    }
                }
            });
            rx
        })
    }
}

/// Opens a URL in a browser, or says why it could not. What it returns is kept until
/// the sign-in ends (the private page the browser was given).
pub type OpenBrowser<'a> = &'a dyn Fn(&str) -> std::result::Result<Opened, String>;

/// One sign-in at one network.
pub struct Flow<'a> {
    pub net: &'a Net,
    pub http: &'a oauth2::reqwest::blocking::Client,
    pub prompt: &'a dyn Prompter,
    /// Opens the authorize URL; `None` (`--no-browser`) only prints it.
    pub browser: Option<OpenBrowser<'a>>,
    /// The loopback port to listen on (0: any).
    pub port: u16,
    /// How long the person may take to sign in.
    pub timeout: Duration,
    pub now: Timestamp,
    /// Who signs in, as `user@host`: the profile's `connected_by`.
    pub by: &'a str,
}

/// A sign-in the browser came back from: its callback, the browser's request (to be
/// answered), and what the exchange needs.
pub struct SignedIn {
    pub callback: Callback,
    request: Option<Request>,
    typed: Option<Receiver<String>>,
    /// Spent by the code exchange.
    authorization: Option<Authorization>,
    /// An OpenID Connect provider's ID token must carry this sign-in's nonce.
    nonce: Option<String>,
}

/// A sign-in that reached the profile's account, ready to be stored.
pub struct Connected {
    pub profile: Profile,
    pub is_new: bool,
    pub account: Option<Account>,
    pub tokens: TokenSet,
    /// Scopes asked for and not granted.
    pub missing: Vec<String>,
    /// The tokens a re-authorization replaced, until they are dealt with (`retire`).
    pub replaced: Option<TokenSet>,
}

/// A sign-in completed on another machine (`sbctl authorize`), as it was carried over.
pub struct Carried {
    /// The network or provider it was made at.
    pub network: String,
    pub account: Option<Account>,
    pub grant: crate::domain::token::Grant,
    pub renewable: bool,
    pub data_access_expires_at: Option<Timestamp>,
    /// The network's user it was made as, where that is another than the account.
    pub login: Option<String>,
    /// The app (client id) it was made for.
    pub client_id: Option<String>,
    pub made_at: Timestamp,
}

/// What one sign-in reached: each account with its tokens, until one is completed
/// (`Flow::complete_from`, which takes it out).
pub struct Reached {
    pub connections: Vec<Connection>,
    issued: Issued,
}

/// What a re-authorization did with the tokens it replaced.
pub enum Retired {
    /// Nothing to say: none were replaced, or the network's revocation would end the
    /// new grant too, or it is not known whether it would.
    Kept,
    /// Revoked, and the new tokens still work (or could not be checked): what to tell.
    Revoked(String),
    /// Could not be revoked: a warning, the new tokens being stored and fine.
    Live(String),
    /// Revoking them ended the new grant as well: the profile is marked for
    /// re-authorization with this message.
    NewGrantEnded(String),
}

/// What a refused sign-in issued: the accounts it reaches and its tokens, which stay
/// live at the provider unless revoked.
struct Issued {
    reached: Vec<String>,
    tokens: Option<TokenSet>,
    /// Given on stdin, made elsewhere: never revoked here.
    given: bool,
}

/// What becomes of a token given on stdin when its sign-in is refused.
const GIVEN_KEPT: &str = "the token given was left as it was (it was made elsewhere)";

/// Where a sign-in's tokens came from.
#[derive(Clone, Copy)]
pub enum Origin<'a> {
    /// The browser flow here (its ID token must carry the nonce sent).
    Browser(&'a SignedIn),
    /// The device flow here.
    Device,
    /// Given on stdin (`--with-token`), made elsewhere.
    Given,
}

impl SignedIn {
    /// Lines typed on the terminal during the sign-in, when it ran on one.
    pub fn typed(&self) -> Option<&Receiver<String>> {
        self.typed.as_ref()
    }
}

impl Flow<'_> {
    /// Prints the authorize URL, opens the browser and waits for its redirect (or a
    /// pasted address) until the timeout.
    pub fn sign_in(&self, id: &ProfileId) -> Result<SignedIn> {
        let (net, name) = (self.net, &self.net.name);
        let listener =
            Listener::bind(self.port, &net.redirect_path).map_err(|e| Error::from(e).about(id))?;
        let nonce = net
            .network
            .sends_nonce()
            .then(|| format!("{:032x}", rand::random::<u128>()));
        let mut extra = net.extra_authorize.clone();
        if let Some(n) = &nonce {
            extra.insert("nonce".into(), n.clone());
        }
        let redirect_uri = listener.redirect_uri();
        let authorization = authorize(&net.client, &redirect_uri, &net.scopes, &extra)
            .map_err(|e| Error::from(e).about(format!("provider {name}")))?;
        self.prompt.notice(&format!(
            "To authorize {id} at {name}, open this address in a browser:\n\n    {}\n",
            authorization.url
        ));
        let _opened = self.browser.and_then(|open| {
            open(&authorization.url)
                .inspect_err(|e| {
                    self.prompt.warn(&format!(
                        "could not start a browser ({e}); open the address yourself"
                    ))
                })
                .ok()
        });
        let typed = self.prompt.typed();
        if typed.is_some() {
            self.prompt.notice(
                "Waiting for the browser. If it runs on another machine, paste the address it ends up on here and press Enter.",
            );
        }
        let hint = self.redirect_hint(id, &redirect_uri);
        let arrival = listener
            .wait(
                authorization.state.expose(),
                self.timeout,
                typed.as_ref(),
                (&|m| self.prompt.warn(m), &Hint { after: HINT_AFTER, text: &hint }),
            )
            .map_err(|e| {
                Error::failed(format!("{id}: {e}; nothing was changed")).hint(
                    "run it again; for a browser on another machine, use --no-browser and paste the address it ends up on",
                )
            })?;
        let (callback, request) = match arrival {
            Arrival::Browser(cb, request) => (cb, Some(request)),
            Arrival::Pasted(cb) => (cb, None),
        };
        Ok(SignedIn {
            callback,
            request,
            typed,
            authorization: Some(authorization),
            nonce,
        })
    }

    /// A device sign-in (RFC 8628): says where to go and which code to enter, then
    /// polls the token endpoint at the provider's pace (slower when it says
    /// `slow_down`) until the person approves or denies, or the code expires. From the
    /// first poll, a stop waits for the round in progress (its answer may hold tokens).
    pub fn device(&self, id: &ProfileId) -> Result<serde_json::Value> {
        let (net, name) = (self.net, &self.net.name);
        let Some(url) = &net.endpoints.device_authorization_url else {
            return Err(Error::failed(format!(
                "{id}: {name} offers no device sign-in (no device authorization endpoint is known)"
            ))
            .hint(format!(
                "set device_authorization_url under [providers.{name}] if it has one; otherwise sign in with the browser (--no-browser prints the address to open on another machine)"
            )));
        };
        let mut code = device::start(self.http, url, &net.client, &net.scopes).map_err(|e| {
            Error::failed(format!(
                "{id}: {name} did not start a device sign-in ({e}); nothing was changed"
            ))
        })?;
        self.prompt.notice(&format!(
            "To authorize {id} at {name}, open {} on any device with a browser and enter the code:\n\n    {}\n",
            code.verification_uri, code.user_code
        ));
        if let Some(complete) = code.verification_uri_complete.clone() {
            self.prompt.notice(&format!(
                "Or open this address, which carries the code:\n\n    {complete}\n"
            ));
            self.prompt.qr_code(&complete);
        }
        let user_code = code.user_code.clone();
        let expired = || {
            Error::failed(format!(
                "{id}: the code {user_code} expired before anyone approved it; nothing was changed"
            ))
            .hint(format!(
                "run it again for a new code, and enter it at {name} within its lifetime"
            ))
        };
        // Until tokens come, a stop stops at once, as while the browser is out: nothing
        // is stored, nothing is lost.
        let deadline = std::time::Instant::now() + code.expires_in;
        let mut unreachable = 0;
        loop {
            let now = std::time::Instant::now();
            std::thread::sleep(code.interval.min(deadline.saturating_duration_since(now)));
            match code.poll(self.http, &net.client) {
                Poll::Tokens(tokens) => {
                    // From here a stop waits for the tokens to be stored.
                    crate::interrupt::install(crate::ui::report_warning);
                    return Ok(tokens);
                }
                Poll::Ended(crate::oauth::Error::Refused { error, description })
                    if error == "access_denied" =>
                {
                    let said = description.map_or(error.clone(), |d| format!("{error}: {d}"));
                    return Err(Error::failed(format!(
                        "{id}: {name} did not authorize ({said}); nothing was changed"
                    )));
                }
                Poll::Ended(crate::oauth::Error::Refused { error, .. })
                    if error == "expired_token" =>
                {
                    return Err(expired())
                }
                Poll::Ended(e) => {
                    return Err(Error::failed(format!(
                        "{id}: {name} refused the device sign-in: {e}; nothing was changed"
                    )))
                }
                Poll::Unreachable(reason) => {
                    unreachable += 1;
                    if unreachable == 3 {
                        self.prompt.warn(&format!(
                            "cannot reach {name}'s token endpoint ({reason}); still trying until the code expires"
                        ));
                    }
                }
                Poll::SlowDown => {
                    unreachable = 0;
                    self.prompt.notice(&format!(
                        "{name} asked to be polled less often: every {} s now",
                        code.interval.as_secs()
                    ));
                }
                Poll::Pending => unreachable = 0,
            }
            if std::time::Instant::now() >= deadline {
                return Err(expired());
            }
        }
    }

    /// What to say while the browser does not come back: the redirect URI the app
    /// must register, and the network's usual mistake.
    fn redirect_hint(&self, id: &ProfileId, redirect_uri: &str) -> String {
        let (net, name) = (self.net, &self.net.name);
        // A random port was asked for where the provider's port is fixed (X, Facebook:
        // an exact match): no registered URI can match it.
        if self.port == 0 && net.redirect_port != 0 {
            return format!(
                "{id}: still waiting for the browser. If it shows an error from {name}, that is the port: {name} matches the redirect URI exactly, and this time it is {redirect_uri}; run again without --port 0 (port {}): {}",
                net.redirect_port, net.redirect_note
            );
        }
        if self.port == 0 {
            format!(
                "{id}: still waiting for the browser. If it shows an error from {name}, its app must accept http://127.0.0.1 on any port with the path {} (this time {redirect_uri}): {}",
                net.redirect_path, net.redirect_note
            )
        } else {
            format!(
                "{id}: still waiting for the browser. If it shows an error from {name}, the app's redirect URI must be exactly {redirect_uri}: {}",
                net.redirect_note
            )
        }
    }

    /// Exchanges the code for tokens. From here on a stop waits for the tokens to be
    /// stored: the provider may issue them, and they must not be lost.
    pub fn exchange(&self, id: &ProfileId, signed: &mut SignedIn) -> Result<serde_json::Value> {
        let name = &self.net.name;
        let code = match &signed.callback {
            Callback::Code(code) => code,
            Callback::Denied { error, description } => {
                let said = description
                    .as_ref()
                    .map_or(error.clone(), |d| format!("{error}: {d}"));
                return Err(Error::failed(format!(
                    "{id}: {name} did not authorize ({said}); nothing was changed"
                )));
            }
        };
        crate::interrupt::install(crate::ui::report_warning);
        let authorization = signed.authorization.take().ok_or_else(|| {
            Error::failed(format!("{id}: this sign-in's code was exchanged already"))
        })?;
        authorization
            .exchange(self.http, &self.net.client, code)
            .map_err(|e| {
                Error::failed(format!(
                    "{id}: {name} refused the code exchange: {e}; nothing was changed"
                ))
            })
    }

    /// Reads the accounts the tokens reach, picks the target's, holds it to the
    /// identity rule and finishes the connection. A sign-in refused here has its
    /// tokens revoked where that cannot touch another profile.
    ///
    /// This one is for a token that came from elsewhere (`--with-token`): no nonce to
    /// hold an ID token to, no terminal to choose an account on, and never revoked.
    pub fn complete_given(
        &self,
        store: &dyn ProfileStore,
        token: serde_json::Value,
        target: Target,
    ) -> Result<Connected> {
        let mut reached = self.reach(target.id(), Some(store), Origin::Given, token)?;
        self.complete_from(Some(store), &mut reached, target, None)
    }

    /// Reads the accounts the tokens reach (`Net::connect`); the tokens of a sign-in
    /// refused here are dealt with as `complete_from` says.
    ///
    /// `store` is `None` where the flow keeps nothing (`sbctl authorize`): no profile
    /// is known there to share the refused grant.
    pub fn reach(
        &self,
        id: &ProfileId,
        store: Option<&dyn ProfileStore>,
        origin: Origin,
        token: serde_json::Value,
    ) -> Result<Reached> {
        // What the exchange gave, for revoking it should the sign-in be refused before
        // its account is known; a token given from elsewhere is never revoked here.
        let given = match origin {
            Origin::Given => None,
            _ => crate::domain::token::grant_from_json(&token, self.now)
                .ok()
                .map(|g| g.tokens),
        };
        let nonce = match origin {
            Origin::Browser(signed) => signed.nonce.as_deref(),
            _ => None,
        };
        let connections = self
            .net
            .connect(self.http, token, (self.now, nonce))
            .map_err(|p| {
                Error::failed(format!(
                    "{id}: {}; nothing was changed; {}",
                    p.message,
                    self.discard_unread(store, given, origin)
                ))
            })?;
        let issued = Issued {
            reached: connections
                .iter()
                .filter_map(|c| c.account.as_ref().map(|a| a.id.clone()))
                .collect(),
            tokens: connections.first().map(|c| c.grant.tokens.clone()),
            given: matches!(origin, Origin::Given),
        };
        Ok(Reached {
            connections,
            issued,
        })
    }

    /// Takes `target`'s account out of what the sign-in reached (`choose`), finishes
    /// it and holds it to the identity rule.
    pub fn complete_from(
        &self,
        store: Option<&dyn ProfileStore>,
        reached: &mut Reached,
        target: Target,
        typed: Option<&Receiver<String>>,
    ) -> Result<Connected> {
        let id = target.id().clone();
        let problem =
            |p: Problem| Error::failed(format!("{id}: {}; nothing was changed", p.message));
        let issued = &reached.issued;
        let refuse = |mut e: Error| -> Error {
            e.message = format!("{}; {}", e.message, issued.discard(store, self));
            e
        };
        let chosen = self
            .choose(&target, &mut reached.connections, typed)
            .map_err(refuse)?;
        let connection = self
            .net
            .finish(self.http, chosen, self.now)
            .map_err(problem)?;
        let (profile, is_new) = self.identity(target, &connection).map_err(refuse)?;
        Ok(self.connected(profile, is_new, connection))
    }

    /// A sign-in made on another machine (`sbctl authorize`), applied to `target` by
    /// the same rules as one made here: the network and its app (client id), the
    /// identity rule, the scopes asked for here; never once more, nor over a later
    /// sign-in; and its token must work at the network. `replaced`: the profile's
    /// tokens now, if it has any.
    pub fn carried(
        &self,
        c: Carried,
        target: Target,
        replaced: Option<&TokenSet>,
    ) -> Result<Connected> {
        let id = target.id().clone();
        let (name, refuse) = (&self.net.name, |what: String| {
            Error::failed(format!("{id}: {what}; nothing was changed"))
        });
        if c.network != *name {
            return Err(refuse(format!(
                "this is a sign-in at {}, not at {name}",
                c.network
            )));
        }
        let ours = &self.net.client.credentials.client_id;
        if let Some(theirs) = c.client_id.as_ref().filter(|t| *t != ours) {
            return Err(refuse(format!(
                "this sign-in was made for the app `{theirs}`, and {name}'s app here is `{ours}`"
            ))
            .hint("give the machine that signs in the same client_id as this one"));
        }
        let when = |t: Timestamp| t.format("%Y-%m-%d %H:%M:%S UTC").to_string();
        if c.made_at > self.now + chrono::TimeDelta::minutes(5) {
            return Err(refuse(format!(
                "this sign-in says it was made at {}, which is still to come here",
                when(c.made_at)
            ))
            .hint("set the clock of the machine that signed in right, and sign in again"));
        }
        if let Target::Existing { profile, .. } = &target {
            if replaced.is_some_and(|t| t.access_token == c.grant.tokens.access_token) {
                return Err(refuse(format!("this sign-in was given to {id} already")));
            }
            if let Some(last) = profile.connected_at.filter(|t| *t > c.made_at) {
                return Err(refuse(format!(
                    "this sign-in was made at {}, before the last sign-in for {id} (at {})",
                    when(c.made_at),
                    when(last)
                ))
                .hint(format!(
                    "run `sbctl authorize {}` again and give {id} the new line",
                    c.network
                )));
            }
        }
        let connection = Connection {
            account: c.account,
            grant: c.grant,
            data_access_expires_at: c.data_access_expires_at,
            renewable: c.renewable,
            login: c.login,
        };
        let (profile, is_new) = self.identity(target, &connection)?;
        let mut connected = self.connected(profile, is_new, connection);
        // The token must work here: a line is not a sign-in until the network says so.
        let verdict = self
            .net
            .verify(self.http, &connected.profile, &connected.tokens, self.now);
        if let Verdict::Failed(Problem {
            failure: Failure::Reauth(_),
            message,
        }) = verdict
        {
            return Err(refuse(format!(
                "the token in this sign-in does not work at {name} ({message})"
            )));
        }
        connected.profile.connected_at = Some(c.made_at.min(self.now));
        Ok(connected)
    }

    /// What becomes of the tokens of a sign-in refused before its account was read
    /// (an ID token refused, say). Revoking them cannot end another profile's grant
    /// where the network revokes a token or an authorization at a time; where it ends
    /// every grant of the user (Google), an unknown account may be another profile's.
    fn discard_unread(
        &self,
        store: Option<&dyn ProfileStore>,
        tokens: Option<TokenSet>,
        origin: Origin,
    ) -> String {
        if let Origin::Given = origin {
            return GIVEN_KEPT.into();
        }
        if tokens.is_none() {
            return "any tokens it issued were not revoked: sbctl could not read them".into();
        }
        if self.net.revocation_ends_every_grant() {
            return format!(
                "the tokens it issued were not revoked: their account is unknown, and revoking at {} ends every grant of that account, which another profile may use",
                self.net.name
            );
        }
        let issued = Issued {
            reached: Vec::new(),
            tokens,
            given: false,
        };
        issued.discard(store, self)
    }

    /// The profile the sign-in connects: a new one (which must be `--account`'s, when
    /// given), or the existing one, which must still be the same account.
    fn identity(&self, target: Target, c: &Connection) -> Result<(Profile, bool)> {
        let net = self.net;
        match target {
            Target::New {
                id,
                account,
                labels: (owner, tags),
            } => {
                if let (Some(w), Some(a)) = (&account, &c.account) {
                    if *w != a.id && a.name.as_deref() != Some(w) {
                        return Err(Error::failed(format!(
                            "{id}: signed in as {}, not `{w}`; nothing was changed",
                            who(a.name.as_deref(), &a.id)
                        )));
                    }
                }
                let mut p = Profile::new(id, net.name.clone(), self.now);
                (p.owner, p.tags) = (owner, tags);
                Ok((p, true))
            }
            Target::Existing {
                profile,
                allow_account_change,
            } => match (&profile.account_id, &c.account) {
                (Some(old), Some(new)) if !net.same_account(old, new) && !allow_account_change => {
                    Err(self.other_account(&profile, old, new))
                }
                _ => Ok((*profile, false)),
            },
        }
    }

    /// The error for a sign-in as another account than the profile's.
    fn other_account(&self, profile: &Profile, old: &str, new: &Account) -> Error {
        let id = &profile.id;
        let (was, now_is) = (
            who(profile.account_name.as_deref(), old),
            who(new.name.as_deref(), &new.id),
        );
        // A Facebook account is a Page, chosen in the dialog's Page picker.
        let (what, fix) = match self.net.network.account_picker() {
            Some(dialog) => (
                format!(
                    "{} was not selected in the {dialog} dialog (this sign-in reaches {now_is})",
                    profile.account_name.as_deref().unwrap_or(old)
                ),
                format!("run `sbctl reauth {id}` again and select {was} in the Page picker"),
            ),
            None => (
                format!("signed in as {now_is}, but {id} is {was}"),
                format!("sign in as {was}"),
            ),
        };
        Error::failed(format!("{id}: {what}; nothing was changed")).hint(format!(
            "{fix}, or pass --allow-account-change to switch {id} to {now_is}"
        ))
    }

    /// The profile with the new grant applied.
    fn connected(&self, mut profile: Profile, is_new: bool, c: Connection) -> Connected {
        let now = self.now;
        if let Some(a) = &c.account {
            profile.account_id = Some(a.id.clone());
            if a.name.is_some() {
                profile.account_name = a.name.clone();
            }
        }
        let missing = profile.apply_grant(&c.grant, Some(&self.net.scopes), now);
        profile.renewable = c.renewable;
        profile.data_access_expires_at = c.data_access_expires_at;
        profile.login_id = c.login;
        profile.reconnected(self.by.to_owned(), now);
        Connected {
            profile,
            is_new,
            account: c.account,
            tokens: c.grant.tokens,
            missing,
            replaced: None,
        }
    }

    /// Revokes the tokens a re-authorization replaced, where revoking a token ends only
    /// its own sign-in's grant (`revocation = "token"`): otherwise each sign-in would
    /// leave a live grant behind. Then asks whether the new tokens still work, since a
    /// server that ends more than it was given has just ended the new grant too.
    pub fn retire(&self, c: &mut Connected) -> Retired {
        let (net, id) = (self.net, c.profile.id.clone());
        let Some(old) = c.replaced.take().and_then(|old| superseded(old, &c.tokens)) else {
            return Retired::Kept;
        };
        if net.revocation != crate::config::Reach::Token {
            return Retired::Kept;
        }
        match net.revoke(self.http, &old, self.now) {
            Ok(Revocation::Done) => {}
            Ok(Revocation::NotOffered(how)) => {
                return Retired::Live(format!(
                    "{id}: the tokens this sign-in replaced are still live at {}: {how}",
                    net.name
                ))
            }
            Err(p) => {
                return Retired::Live(format!(
                    "{id}: the tokens this sign-in replaced could not be revoked ({}); they stay live at {} until they expire or the app's access is removed in the account's settings",
                    p.message, net.name
                ))
            }
        }
        let revoked = format!(
            "{id}: the tokens this sign-in replaced were revoked at {}",
            net.name
        );
        match net.verify(self.http, &c.profile, &c.tokens, self.now) {
            Verdict::Valid { .. } => Retired::Revoked(format!("{revoked}; the new ones work")),
            Verdict::Failed(Problem {
                failure: Failure::Reauth(reason),
                message,
            }) => {
                let reason = c.profile.settled(reason, self.now);
                let words = format!(
                    "revoking the tokens this sign-in replaced ended the new grant too ({message}): {} ends more than the token it is given",
                    net.name
                );
                c.profile.failed_check(reason, words.clone(), self.now);
                Retired::NewGrantEnded(format!(
                    "{id}: {words}; set `revocation = \"account\"` (or \"unknown\") in [providers.{}] and run `sbctl reauth {id}` again",
                    net.name
                ))
            }
            other => Retired::Revoked(format!(
                "{revoked}; whether the new ones still work could not be checked ({}): `sbctl check --online` will tell",
                other.describe()
            )),
        }
    }

    /// The account to connect among those the sign-in reaches: the profile's own on
    /// `reauth` (the identity rule), `--account` by id or name, the only one, a
    /// numbered choice on a terminal, or an error listing them.
    fn choose(
        &self,
        target: &Target,
        all: &mut Vec<Connection>,
        typed: Option<&Receiver<String>>,
    ) -> Result<Connection> {
        let (id, network) = (target.id(), &self.net.name);
        let matches = |c: &Connection, wanted: &str| {
            c.account
                .as_ref()
                .is_some_and(|a| a.id == wanted || a.name.as_deref() == Some(wanted))
        };
        let wanted = match target {
            Target::New { account, .. } => account.clone(),
            // A reauth keeps the same account when the sign-in still reaches it; the
            // identity rule names both when it does not.
            Target::Existing { profile, .. } => profile
                .account_id
                .clone()
                .filter(|old| all.iter().any(|c| matches(c, old))),
        };
        let names: Vec<String> = all.iter().map(label).collect();
        if let Some(w) = &wanted {
            if let Some(i) = all.iter().position(|c| matches(c, w)) {
                return Ok(all.swap_remove(i));
            }
            return Err(Error::failed(format!(
                "{id}: this {network} sign-in does not reach account `{w}`; it reaches: {}; nothing was changed",
                names.join(", ")
            ))
            .hint("pass --account with one of those ids or names, or sign in as someone who manages it"));
        }
        if all.len() == 1 {
            return Ok(all.remove(0));
        }
        if all.is_empty() {
            return Err(Error::failed(format!(
                "{id}: this {network} sign-in reaches no account that is not taken already; nothing was changed"
            )));
        }
        if let Some(lines) = typed {
            let n = self.ask_which(id, &names, lines)?;
            return Ok(all.swap_remove(n));
        }
        Err(Error::failed(format!(
            "{id}: this {network} sign-in reaches {} accounts: {}; nothing was changed",
            all.len(),
            names.join(", ")
        ))
        .hint(format!(
            "run it again with --account <id or name> to pick one, e.g. --account {}",
            all[0].account.as_ref().map_or("ID", |a| a.id.as_str())
        )))
    }

    /// Asks a yes-or-no question on the terminal: Enter is yes; five minutes without
    /// an answer is no.
    pub fn confirm(&self, question: &str, lines: &Receiver<String>) -> bool {
        self.prompt.notice(&format!("{question} [Y/n]"));
        while let Ok(line) = lines.recv_timeout(Duration::from_secs(300)) {
            match line.trim().to_ascii_lowercase().as_str() {
                "" | "y" | "yes" => return true,
                "n" | "no" => return false,
                _ => self.prompt.notice("Type y or n and press Enter:"),
            }
        }
        false
    }

    /// Asks on the terminal which of `names` to connect; its index.
    fn ask_which(
        &self,
        id: &ProfileId,
        names: &[String],
        lines: &Receiver<String>,
    ) -> Result<usize> {
        let mut menu = format!(
            "{id}: this {} sign-in reaches {} accounts:\n",
            self.net.name,
            names.len()
        );
        for (i, n) in names.iter().enumerate() {
            menu.push_str(&format!("  {}) {n}\n", i + 1));
        }
        menu.push_str("Which one? Type its number and press Enter:");
        self.prompt.notice(&menu);
        while let Ok(line) = lines.recv_timeout(Duration::from_secs(300)) {
            match line.trim().parse::<usize>() {
                Ok(n) if (1..=names.len()).contains(&n) => return Ok(n - 1),
                _ => self
                    .prompt
                    .notice(&format!("Type a number from 1 to {}:", names.len())),
            }
        }
        Err(Error::failed(format!(
            "{id}: no account was chosen; nothing was changed"
        )))
    }
}

/// Answers the browser that is waiting on `signed` with what became of the sign-in.
pub fn answer_browser(signed: &mut SignedIn, id: &ProfileId, result: &Result<Connected>) {
    let Some(request) = signed.request.take() else {
        return;
    };
    match result {
        Ok(c) => {
            let connected = if c.is_new {
                "connected"
            } else {
                "connected again"
            };
            if c.missing.is_empty() {
                respond(
                    request,
                    200,
                    &format!("sbctl: {id} is {connected}."),
                    "You can close this tab.",
                );
            } else {
                respond(
                    request,
                    200,
                    &format!("sbctl: {id} is {connected}, but without some permissions."),
                    &format!(
                        "Missing: {}. Run `sbctl reauth {id}` and grant them all.",
                        c.missing.join(", ")
                    ),
                );
            }
        }
        Err(e) => respond(
            request,
            400,
            &format!("sbctl: {id} was not connected"),
            &format!("{e}. Go back to the terminal; you can close this tab."),
        ),
    }
}

/// Answers the browser that is waiting on `signed` with a page of its own: what was
/// done, or the error and what was not done.
pub fn answer_page(signed: &mut SignedIn, outcome: std::result::Result<&str, (&str, &Error)>) {
    let Some(request) = signed.request.take() else {
        return;
    };
    match outcome {
        Ok(done) => respond(
            request,
            200,
            &format!("sbctl: {done}"),
            "You can close this tab.",
        ),
        Err((undone, e)) => respond(
            request,
            400,
            &format!("sbctl: {undone}"),
            &format!("{e}. Go back to the terminal; you can close this tab."),
        ),
    }
}

/// Stores a connected profile: the tokens first (once stored, an interruption cannot
/// lose them), then the row.
pub fn store(store: &mut dyn ProfileStore, secrets: &dyn SecretStore, c: &Connected) -> Result<()> {
    let tokens = [(c.profile.id.clone(), c.tokens.clone())];
    if c.is_new {
        return add_all(store, secrets, std::slice::from_ref(&c.profile), &tokens);
    }
    secrets.set_many(&token_entries(&tokens))?;
    store.update(&c.profile)?;
    Ok(())
}

/// Stores tokens, then rows, all or nothing: if the rows cannot be inserted, the
/// tokens just written are removed again.
pub fn add_all(
    store: &mut dyn ProfileStore,
    secrets: &dyn SecretStore,
    profiles: &[Profile],
    tokens: &[(ProfileId, TokenSet)],
) -> Result<()> {
    let entries = token_entries(tokens);
    if let Err(e) = secrets.set_many(&entries) {
        // A keyring may have taken some before failing: take them back.
        let keys: Vec<String> = entries.into_iter().map(|(k, _)| k).collect();
        let _ = secrets.delete_many(&keys);
        return Err(e.into());
    }
    if let Err(e) = store.insert(profiles) {
        let keys: Vec<String> = tokens.iter().map(|(id, _)| profile_key(id)).collect();
        if let Err(undo) = secrets.delete_many(&keys) {
            return Err(Error::failed(format!(
                "{e}, and removing the tokens just stored failed too ({undo})"
            )));
        }
        return Err(e.into());
    }
    Ok(())
}

/// The part of the replaced tokens that belongs to an earlier grant: none when the
/// refresh token is the one just issued (the same grant, given again), nor when the
/// sign-in gave no refresh token (whose grant the old one may be: Google gives one only
/// at the first consent).
fn superseded(old: TokenSet, new: &TokenSet) -> Option<TokenSet> {
    match (&old.refresh_token, &new.refresh_token) {
        (Some(o), Some(n)) if o == n => None,
        (Some(_), Some(_)) => Some(old),
        (Some(_), None) => None,
        (None, _) if old.access_token != new.access_token => Some(old),
        (None, _) => None,
    }
}

/// An account for people: "Ann (`u-1`)", or "account `u-1`" when it has no other name.
pub fn who(name: Option<&str>, id: &str) -> String {
    match name {
        Some(n) if n != id => format!("{n} (`{id}`)"),
        _ => format!("account `{id}`"),
    }
}

/// An account in a list to choose from: "Ann (u-1)".
fn label(c: &Connection) -> String {
    match &c.account {
        Some(a) => match &a.name {
            Some(n) => format!("{n} ({})", a.id),
            None => a.id.clone(),
        },
        None => "an unnamed account".into(),
    }
}

impl Issued {
    /// Revokes the refused sign-in's grant where that cannot touch another profile,
    /// and says what became of it.
    fn discard(&self, store: Option<&dyn ProfileStore>, flow: &Flow) -> String {
        if self.given {
            return GIVEN_KEPT.into();
        }
        let net = flow.net;
        let Some(tokens) = &self.tokens else {
            return "no tokens were issued".into();
        };
        let Some(store) = store else {
            if net.revocation_ends_every_grant() {
                return format!(
                    "the tokens it issued were not revoked: revoking at {} ends every grant of the account, which a profile on another machine may use",
                    net.name
                );
            }
            return self.revoke(flow, tokens);
        };
        // Revoking may end the whole grant of the signed-in user (Google, Facebook):
        // not while another profile lives on it.
        let mut first = None;
        let filter = ListFilter {
            network: Some(net.name.clone()),
            ..Default::default()
        };
        let shared = store
            .each(&filter, &mut |p| {
                let same = p
                    .account_id
                    .as_ref()
                    .is_some_and(|a| self.reached.contains(a));
                if same && first.is_none() {
                    first = Some(p);
                }
            })
            .map(|()| first);
        match shared {
            Ok(Some(p)) => {
                return format!(
                "the tokens it issued were not revoked, because profile {} uses the same account",
                p.id
            )
            }
            Err(e) => return format!("the tokens it issued were not revoked ({e})"),
            Ok(None) => {}
        }
        self.revoke(flow, tokens)
    }

    /// Revokes the refused sign-in's tokens, unless the network keeps refused grants.
    fn revoke(&self, flow: &Flow, tokens: &TokenSet) -> String {
        let net = flow.net;
        if let Some(why) = net.network.keeps_refused_grants() {
            return format!("the tokens it issued were not revoked: {why}");
        }
        match net.revoke(flow.http, tokens, flow.now) {
            Ok(Revocation::Done) => format!("the tokens it issued were revoked at {}", net.name),
            Ok(Revocation::NotOffered(how)) => {
                format!("the tokens it issued are still live: {how}")
            }
            Err(p) => format!(
                "the tokens it issued could not be revoked ({}); revoke the app's access in that account's settings",
                p.message
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Provider, ProviderConfig};
    use crate::domain::token::Secret;
    use std::io::{Read, Write};
    use std::sync::Mutex;

    /// A person at a terminal-less prompt: what the flow says is kept.
    #[derive(Default)]
    struct Heard(Mutex<Vec<String>>);

    impl Prompter for Heard {
        fn notice(&self, text: &str) {
            self.0.lock().unwrap().push(text.to_owned());
        }
        fn warn(&self, text: &str) {
            self.notice(text);
        }
        fn typed(&self) -> Option<Receiver<String>> {
            None
        }
    }

    /// X's flow, pointed at a closed port: only the loopback redirect is used.
    fn net(http: &oauth2::reqwest::blocking::Client) -> Net {
        let provider = Provider {
            name: "x".into(),
            built_in: true,
            config: ProviderConfig {
                client_id: Some("cid".into()),
                authorize_url: Some("http://127.0.0.1:9/authorize".into()),
                token_url: Some("http://127.0.0.1:9/token".into()),
                ..Default::default()
            },
            env_secret: Some(Secret::new("cs".into())),
        };
        let secret = provider.env_secret.clone();
        Net::resolve(&provider, secret, http, ("config.toml", &NoDiscovery)).unwrap()
    }

    /// No discovery is kept: the provider gives its endpoints in the config.
    struct NoDiscovery;

    impl crate::networks::DiscoveryCache for NoDiscovery {
        fn load(&self, _: &str) -> Option<crate::networks::CachedDiscovery> {
            None
        }
        fn save(&self, _: &str, _: &str) {}
    }

    /// A browser that follows the authorize URL's redirect with a code, on its own
    /// thread (the flow listens once it has opened the browser); the page it is
    /// shown comes back on the channel.
    fn browser(
        shown: std::sync::mpsc::Sender<String>,
    ) -> impl Fn(&str) -> std::result::Result<Opened, String> {
        move |url: &str| {
            let url = oauth2::url::Url::parse(url).unwrap();
            let get = |k: &str| {
                url.query_pairs()
                    .find(|(n, _)| n == k)
                    .unwrap()
                    .1
                    .into_owned()
            };
            let (state, redirect) = (
                get("state"),
                oauth2::url::Url::parse(&get("redirect_uri")).unwrap(),
            );
            let shown = shown.clone();
            std::thread::spawn(move || {
                let mut s =
                    std::net::TcpStream::connect(("127.0.0.1", redirect.port().unwrap())).unwrap();
                let target = format!("{}?code=c0de&state={state}", redirect.path());
                write!(
                    s,
                    "GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                )
                .unwrap();
                let mut page = String::new();
                let _ = s.read_to_string(&mut page);
                let _ = shown.send(page);
            });
            // The private page is written as for a real browser; `true` ignores it.
            crate::oauth::browser::open(url.as_str(), Some("true"))
        }
    }

    #[test]
    fn a_sign_in_comes_back_with_its_code_and_the_browser_is_answered_once() {
        let http = crate::oauth::http_client(Duration::from_secs(2));
        let net = net(&http);
        let (tx, shown) = std::sync::mpsc::channel();
        let open = browser(tx);
        let heard = Heard::default();
        let flow = Flow {
            net: &net,
            http: &http,
            prompt: &heard,
            browser: Some(&open),
            port: 0,
            timeout: Duration::from_secs(10),
            now: chrono::Utc::now(),
            by: "ann@host",
        };
        let id = ProfileId::parse("acme").unwrap();
        let mut signed = flow.sign_in(&id).unwrap();
        assert!(matches!(&signed.callback, Callback::Code(c) if c.expose() == "c0de"));
        assert!(heard.0.lock().unwrap()[0].contains("To authorize acme at x"));

        let refused = Err(Error::failed("acme: the account was not the profile's"));
        answer_browser(&mut signed, &id, &refused);
        let page = shown.recv_timeout(Duration::from_secs(5)).unwrap();
        assert!(page.starts_with("HTTP/1.1 400"), "{page}");
        assert!(page.contains("acme was not connected"), "{page}");
        // Answered once: the request is spent.
        assert!(signed.request.is_none());
    }

    fn tokens(access: &str, refresh: Option<&str>) -> TokenSet {
        TokenSet {
            access_token: Secret::new(access.into()),
            refresh_token: refresh.map(|r| Secret::new(r.into())),
            token_type: None,
        }
    }

    #[test]
    fn only_tokens_of_an_earlier_grant_are_superseded() {
        let old = tokens("a1", Some("r1"));
        // The same refresh token given again is the same grant: nothing to revoke.
        assert_eq!(superseded(old.clone(), &tokens("a2", Some("r1"))), None);
        assert_eq!(
            superseded(old.clone(), &tokens("a2", Some("r2"))),
            Some(old.clone())
        );
        assert_eq!(superseded(old, &tokens("a2", None)), None);
        let bare = tokens("a1", None);
        assert_eq!(superseded(bare.clone(), &tokens("a1", None)), None);
        assert_eq!(
            superseded(bare.clone(), &tokens("a2", Some("r2"))),
            Some(bare)
        );
    }
}
