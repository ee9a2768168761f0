//! The second real OAuth server: Django OAuth Toolkit (tests/support/python/dot_server.py)
//! in the virtual environment that scripts/test makes from requirements.txt. Its
//! revocation ends only the token it is given, where oidc-provider's ends the sign-in's
//! whole grant.

use super::oidc::{spawn_server, CLIENT_SECRET};
use super::Env;
use std::path::Path;
use std::process::{Child, Command};

/// Django OAuth Toolkit on 127.0.0.1, stopped when dropped.
pub struct DotServer {
    child: Child,
    pub issuer: String,
    pub token_url: String,
    pub revocation_url: String,
    pub introspection_url: String,
    _data: tempfile::TempDir,
}

impl DotServer {
    pub fn start() -> DotServer {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/python");
        let python = dir.join(".venv/bin/python");
        assert!(
            python.exists(),
            "Django OAuth Toolkit is not installed: make {} from requirements.txt (scripts/test does)",
            dir.join(".venv").display()
        );
        let data = tempfile::tempdir().unwrap();
        let mut command = Command::new(python);
        command.arg(dir.join("dot_server.py")).arg(data.path());
        let (child, ready) = spawn_server(command, "the virtual environment's python runs");
        let field = |name: &str| ready[name].as_str().unwrap().to_owned();
        DotServer {
            child,
            issuer: field("issuer"),
            token_url: field("token_url"),
            revocation_url: field("revocation_url"),
            introspection_url: field("introspection_url"),
            _data: data,
        }
    }

    /// A sealed environment whose provider `corp` is this server: `issuer` for the
    /// endpoints discovery names, and the revocation and introspection endpoints, which
    /// its discovery document leaves out, given explicitly.
    pub fn env(&self, extra_config: &str) -> Env {
        let config = format!(
            "[providers.corp]\nissuer = \"{}\"\nrevocation_url = \"{}\"\nintrospection_url = \"{}\"\nclient_id = \"sbctl\"\nscopes = [\"openid\", \"profile\"]\n{extra_config}",
            self.issuer, self.revocation_url, self.introspection_url
        );
        super::oidc::env_with_browser(&config, CLIENT_SECRET)
    }
}

impl Drop for DotServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
