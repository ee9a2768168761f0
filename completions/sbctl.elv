
use builtin;
use str;

set edit:completion:arg-completer[sbctl] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'sbctl'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'sbctl'= {
            cand --db 'Profile database [default: <data dir>/sbctl/sbctl.db]'
            cand --config 'Config file [default: <config dir>/sbctl/config.toml]'
            cand --secret-store 'Where tokens and client secrets are kept [default: auto]'
            cand --color 'When to colour the output (NO_COLOR turns `auto` off)'
            cand -q 'Print nothing but errors and requested data'
            cand --quiet 'Print nothing but errors and requested data'
            cand -v 'Explain what happens on stderr (repeat for more)'
            cand --verbose 'Explain what happens on stderr (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand profiles 'List, show, add, remove, import and export profiles'
            cand authorize 'Sign in where the browser is and print the result as one line, for `reauth --with-token` on a server; keeps nothing here'
            cand reauth 'Re-authorize a profile in the browser (it must sign in as the same account)'
            cand refresh 'Renew tokens that are due (for cron), validate those without expiry'
            cand token 'Print a profile''s access token on stdout, for other tools to post with'
            cand check 'List the profiles that need attention (local state; with --online, ask each provider)'
            cand providers 'List providers and store their client secrets'
            cand secrets 'Rotate the age key that encrypts the file secret store'
            cand doctor 'Check the database, the secret store and the providers'' configuration'
            cand metrics 'Print the fleet''s state as Prometheus metrics (reads the database only)'
            cand report 'Write a one-page HTML report: profiles by status and a deadline timeline'
            cand completions 'Print a shell completion script'
            cand man 'Print the manual page (roff), or write every command''s page with --dir (e.g. `sbctl man --dir ~/.local/share/man/man1`)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'sbctl;profiles'= {
            cand --db 'Profile database [default: <data dir>/sbctl/sbctl.db]'
            cand --config 'Config file [default: <config dir>/sbctl/config.toml]'
            cand --secret-store 'Where tokens and client secrets are kept [default: auto]'
            cand --color 'When to colour the output (NO_COLOR turns `auto` off)'
            cand -q 'Print nothing but errors and requested data'
            cand --quiet 'Print nothing but errors and requested data'
            cand -v 'Explain what happens on stderr (repeat for more)'
            cand --verbose 'Explain what happens on stderr (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand list 'List profiles and their status (reads the database only: no keyring, no network)'
            cand show 'Show everything known about one profile'
            cand add 'Add a profile: sign in through the browser, or `--with-token` from stdin'
            cand remove 'Remove a profile and its tokens'
            cand edit 'Set a profile''s owner and tags'
            cand import 'Add many profiles from a JSON array or JSON lines, all or nothing'
            cand export 'Write all profiles in the import format (JSON lines) to stdout'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'sbctl;profiles;list'= {
            cand --network 'Only profiles of this network'
            cand --status 'Only profiles with this status'
            cand --owner 'Only profiles of this owner'
            cand --tag 'Only profiles with this tag, key=value; repeat: with every one of them'
            cand --sort 'Order: by id (default), network, status (most urgent first) or deadline (soonest first)'
            cand --columns 'The table''s columns, comma-separated [default: id,network,account,status,deadline,expires,last-refresh]'
            cand --db 'Profile database [default: <data dir>/sbctl/sbctl.db]'
            cand --config 'Config file [default: <config dir>/sbctl/config.toml]'
            cand --secret-store 'Where tokens and client secrets are kept [default: auto]'
            cand --color 'When to colour the output (NO_COLOR turns `auto` off)'
            cand --needs-reauth 'Only profiles that need re-authorization (same as --status reauth_required)'
            cand --json 'Print JSON instead of a table'
            cand -q 'Print nothing but errors and requested data'
            cand --quiet 'Print nothing but errors and requested data'
            cand -v 'Explain what happens on stderr (repeat for more)'
            cand --verbose 'Explain what happens on stderr (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'sbctl;profiles;show'= {
            cand --db 'Profile database [default: <data dir>/sbctl/sbctl.db]'
            cand --config 'Config file [default: <config dir>/sbctl/config.toml]'
            cand --secret-store 'Where tokens and client secrets are kept [default: auto]'
            cand --color 'When to colour the output (NO_COLOR turns `auto` off)'
            cand --json 'Print JSON instead of text'
            cand -q 'Print nothing but errors and requested data'
            cand --quiet 'Print nothing but errors and requested data'
            cand -v 'Explain what happens on stderr (repeat for more)'
            cand --verbose 'Explain what happens on stderr (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'sbctl;profiles;add'= {
            cand --network 'The network (facebook, instagram, threads, x, linkedin, youtube, tiktok, pinterest) or a provider from the config file'
            cand --account 'The account to connect, by id or name, where one sign-in reaches several (Pages, channels); with --with-token, recorded as the account id'
            cand --owner 'Whom to contact about it: an e-mail address'
            cand --tag 'A tag, key=value (as client=acme); repeat for more'
            cand --id-template 'With --all, each profile''s id: {network}, {slug} (from the account''s name) and {account} (its id), made unique with -2, -3...'
            cand --port 'Listen for the redirect on this port of 127.0.0.1 (overrides redirect_port)'
            cand --timeout 'Give up when the sign-in has not finished after this long'
            cand --db 'Profile database [default: <data dir>/sbctl/sbctl.db]'
            cand --config 'Config file [default: <config dir>/sbctl/config.toml]'
            cand --secret-store 'Where tokens and client secrets are kept [default: auto]'
            cand --color 'When to colour the output (NO_COLOR turns `auto` off)'
            cand --with-token 'Read the sign-in from stdin: a line of `sbctl authorize`, a raw access token or a JSON token response'
            cand --all 'Connect every account the sign-in reaches (Pages, Instagram accounts, channels, organizations), a profile each, all or none'
            cand --dry-run 'With --all, list the profiles it would add and add none'
            cand --no-browser 'Only print the authorize URL; do not start a browser'
            cand --device 'Sign in on any other device instead (RFC 8628): print an address and a code to enter there, and wait until the code expires'
            cand -q 'Print nothing but errors and requested data'
            cand --quiet 'Print nothing but errors and requested data'
            cand -v 'Explain what happens on stderr (repeat for more)'
            cand --verbose 'Explain what happens on stderr (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'sbctl;profiles;remove'= {
            cand --db 'Profile database [default: <data dir>/sbctl/sbctl.db]'
            cand --config 'Config file [default: <config dir>/sbctl/config.toml]'
            cand --secret-store 'Where tokens and client secrets are kept [default: auto]'
            cand --color 'When to colour the output (NO_COLOR turns `auto` off)'
            cand --revoke 'Also revoke the tokens at the network'
            cand -y 'Do not ask for confirmation (required when stdin is not a terminal)'
            cand --yes 'Do not ask for confirmation (required when stdin is not a terminal)'
            cand -q 'Print nothing but errors and requested data'
            cand --quiet 'Print nothing but errors and requested data'
            cand -v 'Explain what happens on stderr (repeat for more)'
            cand --verbose 'Explain what happens on stderr (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'sbctl;profiles;edit'= {
            cand --owner 'Whom to contact about it: an e-mail address; "" removes the owner'
            cand --tag 'Set a tag, key=value (as client=acme); repeat for more'
            cand --untag 'Remove a tag; repeat for more'
            cand --db 'Profile database [default: <data dir>/sbctl/sbctl.db]'
            cand --config 'Config file [default: <config dir>/sbctl/config.toml]'
            cand --secret-store 'Where tokens and client secrets are kept [default: auto]'
            cand --color 'When to colour the output (NO_COLOR turns `auto` off)'
            cand -q 'Print nothing but errors and requested data'
            cand --quiet 'Print nothing but errors and requested data'
            cand -v 'Explain what happens on stderr (repeat for more)'
            cand --verbose 'Explain what happens on stderr (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'sbctl;profiles;import'= {
            cand --db 'Profile database [default: <data dir>/sbctl/sbctl.db]'
            cand --config 'Config file [default: <config dir>/sbctl/config.toml]'
            cand --secret-store 'Where tokens and client secrets are kept [default: auto]'
            cand --color 'When to colour the output (NO_COLOR turns `auto` off)'
            cand --replace 'Replace the profiles whose ids exist (each such record must carry its token); still all or nothing'
            cand -q 'Print nothing but errors and requested data'
            cand --quiet 'Print nothing but errors and requested data'
            cand -v 'Explain what happens on stderr (repeat for more)'
            cand --verbose 'Explain what happens on stderr (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'sbctl;profiles;export'= {
            cand --db 'Profile database [default: <data dir>/sbctl/sbctl.db]'
            cand --config 'Config file [default: <config dir>/sbctl/config.toml]'
            cand --secret-store 'Where tokens and client secrets are kept [default: auto]'
            cand --color 'When to colour the output (NO_COLOR turns `auto` off)'
            cand --with-secrets 'Include the tokens (access and refresh) in the clear'
            cand -q 'Print nothing but errors and requested data'
            cand --quiet 'Print nothing but errors and requested data'
            cand -v 'Explain what happens on stderr (repeat for more)'
            cand --verbose 'Explain what happens on stderr (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'sbctl;profiles;help'= {
            cand list 'List profiles and their status (reads the database only: no keyring, no network)'
            cand show 'Show everything known about one profile'
            cand add 'Add a profile: sign in through the browser, or `--with-token` from stdin'
            cand remove 'Remove a profile and its tokens'
            cand edit 'Set a profile''s owner and tags'
            cand import 'Add many profiles from a JSON array or JSON lines, all or nothing'
            cand export 'Write all profiles in the import format (JSON lines) to stdout'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'sbctl;profiles;help;list'= {
        }
        &'sbctl;profiles;help;show'= {
        }
        &'sbctl;profiles;help;add'= {
        }
        &'sbctl;profiles;help;remove'= {
        }
        &'sbctl;profiles;help;edit'= {
        }
        &'sbctl;profiles;help;import'= {
        }
        &'sbctl;profiles;help;export'= {
        }
        &'sbctl;profiles;help;help'= {
        }
        &'sbctl;authorize'= {
            cand --account 'The account to authorize, by id or name, where one sign-in reaches several'
            cand --to 'Seal the line to this age recipient: the server''s `sbctl secrets recipient`'
            cand --port 'Listen for the redirect on this port of 127.0.0.1 (overrides redirect_port)'
            cand --timeout 'Give up when the sign-in has not finished after this long'
            cand --db 'Profile database [default: <data dir>/sbctl/sbctl.db]'
            cand --config 'Config file [default: <config dir>/sbctl/config.toml]'
            cand --secret-store 'Where tokens and client secrets are kept [default: auto]'
            cand --color 'When to colour the output (NO_COLOR turns `auto` off)'
            cand --no-browser 'Only print the authorize URL; do not start a browser'
            cand --device 'Sign in on any other device instead (RFC 8628): print an address and a code to enter there, and wait until the code expires'
            cand -q 'Print nothing but errors and requested data'
            cand --quiet 'Print nothing but errors and requested data'
            cand -v 'Explain what happens on stderr (repeat for more)'
            cand --verbose 'Explain what happens on stderr (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'sbctl;reauth'= {
            cand --port 'Listen for the redirect on this port of 127.0.0.1 (overrides redirect_port)'
            cand --timeout 'Give up when the sign-in has not finished after this long'
            cand --db 'Profile database [default: <data dir>/sbctl/sbctl.db]'
            cand --config 'Config file [default: <config dir>/sbctl/config.toml]'
            cand --secret-store 'Where tokens and client secrets are kept [default: auto]'
            cand --color 'When to colour the output (NO_COLOR turns `auto` off)'
            cand --no-browser 'Only print the authorize URL; do not start a browser'
            cand --device 'Sign in on any other device instead (RFC 8628): print an address and a code to enter there, and wait until the code expires'
            cand --allow-account-change 'Accept a sign-in as a different account than the profile''s'
            cand --with-token 'Read the sign-in from stdin instead of opening a browser: a line of `sbctl authorize`, a raw access token or a JSON token response'
            cand --only-this 'Renew only this profile, not the others the same sign-in reaches (the other Pages of one Facebook user)'
            cand -q 'Print nothing but errors and requested data'
            cand --quiet 'Print nothing but errors and requested data'
            cand -v 'Explain what happens on stderr (repeat for more)'
            cand --verbose 'Explain what happens on stderr (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'sbctl;refresh'= {
            cand --concurrency 'Renewals at once [default: `concurrency` from the config, 8]'
            cand --db 'Profile database [default: <data dir>/sbctl/sbctl.db]'
            cand --config 'Config file [default: <config dir>/sbctl/config.toml]'
            cand --secret-store 'Where tokens and client secrets are kept [default: auto]'
            cand --color 'When to colour the output (NO_COLOR turns `auto` off)'
            cand --all 'Every profile'
            cand --force 'Renew every renewable token, due or not'
            cand --dry-run 'Print what would be done, and do nothing'
            cand --json 'Print JSON instead of a summary'
            cand -q 'Print nothing but errors and requested data'
            cand --quiet 'Print nothing but errors and requested data'
            cand -v 'Explain what happens on stderr (repeat for more)'
            cand --verbose 'Explain what happens on stderr (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'sbctl;token'= {
            cand --min-valid 'Renew first when the token expires within this'
            cand --db 'Profile database [default: <data dir>/sbctl/sbctl.db]'
            cand --config 'Config file [default: <config dir>/sbctl/config.toml]'
            cand --secret-store 'Where tokens and client secrets are kept [default: auto]'
            cand --color 'When to colour the output (NO_COLOR turns `auto` off)'
            cand -q 'Print nothing but errors and requested data'
            cand --quiet 'Print nothing but errors and requested data'
            cand -v 'Explain what happens on stderr (repeat for more)'
            cand --verbose 'Explain what happens on stderr (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'sbctl;check'= {
            cand --db 'Profile database [default: <data dir>/sbctl/sbctl.db]'
            cand --config 'Config file [default: <config dir>/sbctl/config.toml]'
            cand --secret-store 'Where tokens and client secrets are kept [default: auto]'
            cand --color 'When to colour the output (NO_COLOR turns `auto` off)'
            cand --online 'Validate every token with its provider (introspection or userinfo)'
            cand --json 'Print JSON (the profiles needing attention) instead of a table'
            cand -q 'Print nothing but errors and requested data'
            cand --quiet 'Print nothing but errors and requested data'
            cand -v 'Explain what happens on stderr (repeat for more)'
            cand --verbose 'Explain what happens on stderr (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'sbctl;providers'= {
            cand --db 'Profile database [default: <data dir>/sbctl/sbctl.db]'
            cand --config 'Config file [default: <config dir>/sbctl/config.toml]'
            cand --secret-store 'Where tokens and client secrets are kept [default: auto]'
            cand --color 'When to colour the output (NO_COLOR turns `auto` off)'
            cand -q 'Print nothing but errors and requested data'
            cand --quiet 'Print nothing but errors and requested data'
            cand -v 'Explain what happens on stderr (repeat for more)'
            cand --verbose 'Explain what happens on stderr (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand list 'List the built-in networks and the providers from the config file'
            cand set-secret 'Store a provider''s client secret, read from stdin (never from the command line)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'sbctl;providers;list'= {
            cand --db 'Profile database [default: <data dir>/sbctl/sbctl.db]'
            cand --config 'Config file [default: <config dir>/sbctl/config.toml]'
            cand --secret-store 'Where tokens and client secrets are kept [default: auto]'
            cand --color 'When to colour the output (NO_COLOR turns `auto` off)'
            cand --json 'Print JSON instead of a table'
            cand -q 'Print nothing but errors and requested data'
            cand --quiet 'Print nothing but errors and requested data'
            cand -v 'Explain what happens on stderr (repeat for more)'
            cand --verbose 'Explain what happens on stderr (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'sbctl;providers;set-secret'= {
            cand --db 'Profile database [default: <data dir>/sbctl/sbctl.db]'
            cand --config 'Config file [default: <config dir>/sbctl/config.toml]'
            cand --secret-store 'Where tokens and client secrets are kept [default: auto]'
            cand --color 'When to colour the output (NO_COLOR turns `auto` off)'
            cand -q 'Print nothing but errors and requested data'
            cand --quiet 'Print nothing but errors and requested data'
            cand -v 'Explain what happens on stderr (repeat for more)'
            cand --verbose 'Explain what happens on stderr (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'sbctl;providers;help'= {
            cand list 'List the built-in networks and the providers from the config file'
            cand set-secret 'Store a provider''s client secret, read from stdin (never from the command line)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'sbctl;providers;help;list'= {
        }
        &'sbctl;providers;help;set-secret'= {
        }
        &'sbctl;providers;help;help'= {
        }
        &'sbctl;secrets'= {
            cand --db 'Profile database [default: <data dir>/sbctl/sbctl.db]'
            cand --config 'Config file [default: <config dir>/sbctl/config.toml]'
            cand --secret-store 'Where tokens and client secrets are kept [default: auto]'
            cand --color 'When to colour the output (NO_COLOR turns `auto` off)'
            cand -q 'Print nothing but errors and requested data'
            cand --quiet 'Print nothing but errors and requested data'
            cand -v 'Explain what happens on stderr (repeat for more)'
            cand --verbose 'Explain what happens on stderr (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand rekey 'Rotate the file store''s age key: every secret is sealed again, under a new data key'
            cand recipient 'Print this host''s age recipient (made on first use), for `sbctl authorize --to` on a machine with a browser'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'sbctl;secrets;rekey'= {
            cand --to 'The new age key file (`age-keygen -o KEY`, mode 600); the current key comes from SBCTL_SECRETS_KEY_FILE, SBCTL_SECRETS_KEY or secrets_key_file'
            cand --db 'Profile database [default: <data dir>/sbctl/sbctl.db]'
            cand --config 'Config file [default: <config dir>/sbctl/config.toml]'
            cand --secret-store 'Where tokens and client secrets are kept [default: auto]'
            cand --color 'When to colour the output (NO_COLOR turns `auto` off)'
            cand -q 'Print nothing but errors and requested data'
            cand --quiet 'Print nothing but errors and requested data'
            cand -v 'Explain what happens on stderr (repeat for more)'
            cand --verbose 'Explain what happens on stderr (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'sbctl;secrets;recipient'= {
            cand --db 'Profile database [default: <data dir>/sbctl/sbctl.db]'
            cand --config 'Config file [default: <config dir>/sbctl/config.toml]'
            cand --secret-store 'Where tokens and client secrets are kept [default: auto]'
            cand --color 'When to colour the output (NO_COLOR turns `auto` off)'
            cand -q 'Print nothing but errors and requested data'
            cand --quiet 'Print nothing but errors and requested data'
            cand -v 'Explain what happens on stderr (repeat for more)'
            cand --verbose 'Explain what happens on stderr (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'sbctl;secrets;help'= {
            cand rekey 'Rotate the file store''s age key: every secret is sealed again, under a new data key'
            cand recipient 'Print this host''s age recipient (made on first use), for `sbctl authorize --to` on a machine with a browser'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'sbctl;secrets;help;rekey'= {
        }
        &'sbctl;secrets;help;recipient'= {
        }
        &'sbctl;secrets;help;help'= {
        }
        &'sbctl;doctor'= {
            cand --db 'Profile database [default: <data dir>/sbctl/sbctl.db]'
            cand --config 'Config file [default: <config dir>/sbctl/config.toml]'
            cand --secret-store 'Where tokens and client secrets are kept [default: auto]'
            cand --color 'When to colour the output (NO_COLOR turns `auto` off)'
            cand -q 'Print nothing but errors and requested data'
            cand --quiet 'Print nothing but errors and requested data'
            cand -v 'Explain what happens on stderr (repeat for more)'
            cand --verbose 'Explain what happens on stderr (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'sbctl;metrics'= {
            cand --output 'Write to FILE (replaced atomically, mode 0644) instead of stdout, e.g. /var/lib/prometheus/node-exporter/sbctl.prom'
            cand --db 'Profile database [default: <data dir>/sbctl/sbctl.db]'
            cand --config 'Config file [default: <config dir>/sbctl/config.toml]'
            cand --secret-store 'Where tokens and client secrets are kept [default: auto]'
            cand --color 'When to colour the output (NO_COLOR turns `auto` off)'
            cand --fleet-only 'Only the fleet''s totals, no series per profile (up to nine a profile: a fleet of a million would be millions of series, more than most Prometheus set-ups take)'
            cand -q 'Print nothing but errors and requested data'
            cand --quiet 'Print nothing but errors and requested data'
            cand -v 'Explain what happens on stderr (repeat for more)'
            cand --verbose 'Explain what happens on stderr (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'sbctl;report'= {
            cand --html 'Write the page to FILE (replaced atomically)'
            cand --db 'Profile database [default: <data dir>/sbctl/sbctl.db]'
            cand --config 'Config file [default: <config dir>/sbctl/config.toml]'
            cand --secret-store 'Where tokens and client secrets are kept [default: auto]'
            cand --color 'When to colour the output (NO_COLOR turns `auto` off)'
            cand -q 'Print nothing but errors and requested data'
            cand --quiet 'Print nothing but errors and requested data'
            cand -v 'Explain what happens on stderr (repeat for more)'
            cand --verbose 'Explain what happens on stderr (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'sbctl;completions'= {
            cand --db 'Profile database [default: <data dir>/sbctl/sbctl.db]'
            cand --config 'Config file [default: <config dir>/sbctl/config.toml]'
            cand --secret-store 'Where tokens and client secrets are kept [default: auto]'
            cand --color 'When to colour the output (NO_COLOR turns `auto` off)'
            cand -q 'Print nothing but errors and requested data'
            cand --quiet 'Print nothing but errors and requested data'
            cand -v 'Explain what happens on stderr (repeat for more)'
            cand --verbose 'Explain what happens on stderr (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'sbctl;man'= {
            cand --dir 'Write sbctl.1 and a page for each command (sbctl-refresh.1, ...) into DIR (e.g. /usr/local/share/man/man1) instead of printing sbctl(1)'
            cand --db 'Profile database [default: <data dir>/sbctl/sbctl.db]'
            cand --config 'Config file [default: <config dir>/sbctl/config.toml]'
            cand --secret-store 'Where tokens and client secrets are kept [default: auto]'
            cand --color 'When to colour the output (NO_COLOR turns `auto` off)'
            cand -q 'Print nothing but errors and requested data'
            cand --quiet 'Print nothing but errors and requested data'
            cand -v 'Explain what happens on stderr (repeat for more)'
            cand --verbose 'Explain what happens on stderr (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'sbctl;help'= {
            cand profiles 'List, show, add, remove, import and export profiles'
            cand authorize 'Sign in where the browser is and print the result as one line, for `reauth --with-token` on a server; keeps nothing here'
            cand reauth 'Re-authorize a profile in the browser (it must sign in as the same account)'
            cand refresh 'Renew tokens that are due (for cron), validate those without expiry'
            cand token 'Print a profile''s access token on stdout, for other tools to post with'
            cand check 'List the profiles that need attention (local state; with --online, ask each provider)'
            cand providers 'List providers and store their client secrets'
            cand secrets 'Rotate the age key that encrypts the file secret store'
            cand doctor 'Check the database, the secret store and the providers'' configuration'
            cand metrics 'Print the fleet''s state as Prometheus metrics (reads the database only)'
            cand report 'Write a one-page HTML report: profiles by status and a deadline timeline'
            cand completions 'Print a shell completion script'
            cand man 'Print the manual page (roff), or write every command''s page with --dir (e.g. `sbctl man --dir ~/.local/share/man/man1`)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'sbctl;help;profiles'= {
            cand list 'List profiles and their status (reads the database only: no keyring, no network)'
            cand show 'Show everything known about one profile'
            cand add 'Add a profile: sign in through the browser, or `--with-token` from stdin'
            cand remove 'Remove a profile and its tokens'
            cand edit 'Set a profile''s owner and tags'
            cand import 'Add many profiles from a JSON array or JSON lines, all or nothing'
            cand export 'Write all profiles in the import format (JSON lines) to stdout'
        }
        &'sbctl;help;profiles;list'= {
        }
        &'sbctl;help;profiles;show'= {
        }
        &'sbctl;help;profiles;add'= {
        }
        &'sbctl;help;profiles;remove'= {
        }
        &'sbctl;help;profiles;edit'= {
        }
        &'sbctl;help;profiles;import'= {
        }
        &'sbctl;help;profiles;export'= {
        }
        &'sbctl;help;authorize'= {
        }
        &'sbctl;help;reauth'= {
        }
        &'sbctl;help;refresh'= {
        }
        &'sbctl;help;token'= {
        }
        &'sbctl;help;check'= {
        }
        &'sbctl;help;providers'= {
            cand list 'List the built-in networks and the providers from the config file'
            cand set-secret 'Store a provider''s client secret, read from stdin (never from the command line)'
        }
        &'sbctl;help;providers;list'= {
        }
        &'sbctl;help;providers;set-secret'= {
        }
        &'sbctl;help;secrets'= {
            cand rekey 'Rotate the file store''s age key: every secret is sealed again, under a new data key'
            cand recipient 'Print this host''s age recipient (made on first use), for `sbctl authorize --to` on a machine with a browser'
        }
        &'sbctl;help;secrets;rekey'= {
        }
        &'sbctl;help;secrets;recipient'= {
        }
        &'sbctl;help;doctor'= {
        }
        &'sbctl;help;metrics'= {
        }
        &'sbctl;help;report'= {
        }
        &'sbctl;help;completions'= {
        }
        &'sbctl;help;man'= {
        }
        &'sbctl;help;help'= {
        }
    ]
    $completions[$command]
}
