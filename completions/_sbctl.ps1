
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'sbctl' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'sbctl'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'sbctl' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Profile database [default: <data dir>/sbctl/sbctl.db]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/sbctl/config.toml]')
            [CompletionResult]::new('--secret-store', '--secret-store', [CompletionResultType]::ParameterName, 'Where tokens and client secrets are kept [default: auto]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output (NO_COLOR turns `auto` off)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors and requested data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors and requested data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what happens on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what happens on stderr (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('profiles', 'profiles', [CompletionResultType]::ParameterValue, 'List, show, add, remove, import and export profiles')
            [CompletionResult]::new('authorize', 'authorize', [CompletionResultType]::ParameterValue, 'Sign in where the browser is and print the result as one line, for `reauth --with-token` on a server; keeps nothing here')
            [CompletionResult]::new('reauth', 'reauth', [CompletionResultType]::ParameterValue, 'Re-authorize a profile in the browser (it must sign in as the same account)')
            [CompletionResult]::new('refresh', 'refresh', [CompletionResultType]::ParameterValue, 'Renew tokens that are due (for cron), validate those without expiry')
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Print a profile''s access token on stdout, for other tools to post with')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'List the profiles that need attention (local state; with --online, ask each provider)')
            [CompletionResult]::new('providers', 'providers', [CompletionResultType]::ParameterValue, 'List providers and store their client secrets')
            [CompletionResult]::new('secrets', 'secrets', [CompletionResultType]::ParameterValue, 'Rotate the age key that encrypts the file secret store')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Check the database, the secret store and the providers'' configuration')
            [CompletionResult]::new('metrics', 'metrics', [CompletionResultType]::ParameterValue, 'Print the fleet''s state as Prometheus metrics (reads the database only)')
            [CompletionResult]::new('report', 'report', [CompletionResultType]::ParameterValue, 'Write a one-page HTML report: profiles by status and a deadline timeline')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the manual page (roff), or write every command''s page with --dir (e.g. `sbctl man --dir ~/.local/share/man/man1`)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'sbctl;profiles' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Profile database [default: <data dir>/sbctl/sbctl.db]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/sbctl/config.toml]')
            [CompletionResult]::new('--secret-store', '--secret-store', [CompletionResultType]::ParameterName, 'Where tokens and client secrets are kept [default: auto]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output (NO_COLOR turns `auto` off)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors and requested data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors and requested data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what happens on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what happens on stderr (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List profiles and their status (reads the database only: no keyring, no network)')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show everything known about one profile')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a profile: sign in through the browser, or `--with-token` from stdin')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a profile and its tokens')
            [CompletionResult]::new('edit', 'edit', [CompletionResultType]::ParameterValue, 'Set a profile''s owner and tags')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Add many profiles from a JSON array or JSON lines, all or nothing')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write all profiles in the import format (JSON lines) to stdout')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'sbctl;profiles;list' {
            [CompletionResult]::new('--network', '--network', [CompletionResultType]::ParameterName, 'Only profiles of this network')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Only profiles with this status')
            [CompletionResult]::new('--owner', '--owner', [CompletionResultType]::ParameterName, 'Only profiles of this owner')
            [CompletionResult]::new('--tag', '--tag', [CompletionResultType]::ParameterName, 'Only profiles with this tag, key=value; repeat: with every one of them')
            [CompletionResult]::new('--sort', '--sort', [CompletionResultType]::ParameterName, 'Order: by id (default), network, status (most urgent first) or deadline (soonest first)')
            [CompletionResult]::new('--columns', '--columns', [CompletionResultType]::ParameterName, 'The table''s columns, comma-separated [default: id,network,account,status,deadline,expires,last-refresh]')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Profile database [default: <data dir>/sbctl/sbctl.db]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/sbctl/config.toml]')
            [CompletionResult]::new('--secret-store', '--secret-store', [CompletionResultType]::ParameterName, 'Where tokens and client secrets are kept [default: auto]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output (NO_COLOR turns `auto` off)')
            [CompletionResult]::new('--needs-reauth', '--needs-reauth', [CompletionResultType]::ParameterName, 'Only profiles that need re-authorization (same as --status reauth_required)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON instead of a table')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors and requested data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors and requested data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what happens on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what happens on stderr (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'sbctl;profiles;show' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Profile database [default: <data dir>/sbctl/sbctl.db]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/sbctl/config.toml]')
            [CompletionResult]::new('--secret-store', '--secret-store', [CompletionResultType]::ParameterName, 'Where tokens and client secrets are kept [default: auto]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output (NO_COLOR turns `auto` off)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON instead of text')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors and requested data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors and requested data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what happens on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what happens on stderr (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'sbctl;profiles;add' {
            [CompletionResult]::new('--network', '--network', [CompletionResultType]::ParameterName, 'The network (facebook, instagram, threads, x, linkedin, youtube, tiktok, pinterest) or a provider from the config file')
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'The account to connect, by id or name, where one sign-in reaches several (Pages, channels); with --with-token, recorded as the account id')
            [CompletionResult]::new('--owner', '--owner', [CompletionResultType]::ParameterName, 'Whom to contact about it: an e-mail address')
            [CompletionResult]::new('--tag', '--tag', [CompletionResultType]::ParameterName, 'A tag, key=value (as client=acme); repeat for more')
            [CompletionResult]::new('--id-template', '--id-template', [CompletionResultType]::ParameterName, 'With --all, each profile''s id: {network}, {slug} (from the account''s name) and {account} (its id), made unique with -2, -3...')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Listen for the redirect on this port of 127.0.0.1 (overrides redirect_port)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up when the sign-in has not finished after this long')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Profile database [default: <data dir>/sbctl/sbctl.db]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/sbctl/config.toml]')
            [CompletionResult]::new('--secret-store', '--secret-store', [CompletionResultType]::ParameterName, 'Where tokens and client secrets are kept [default: auto]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output (NO_COLOR turns `auto` off)')
            [CompletionResult]::new('--with-token', '--with-token', [CompletionResultType]::ParameterName, 'Read the sign-in from stdin: a line of `sbctl authorize`, a raw access token or a JSON token response')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Connect every account the sign-in reaches (Pages, Instagram accounts, channels, organizations), a profile each, all or none')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'With --all, list the profiles it would add and add none')
            [CompletionResult]::new('--no-browser', '--no-browser', [CompletionResultType]::ParameterName, 'Only print the authorize URL; do not start a browser')
            [CompletionResult]::new('--device', '--device', [CompletionResultType]::ParameterName, 'Sign in on any other device instead (RFC 8628): print an address and a code to enter there, and wait until the code expires')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors and requested data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors and requested data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what happens on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what happens on stderr (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'sbctl;profiles;remove' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Profile database [default: <data dir>/sbctl/sbctl.db]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/sbctl/config.toml]')
            [CompletionResult]::new('--secret-store', '--secret-store', [CompletionResultType]::ParameterName, 'Where tokens and client secrets are kept [default: auto]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output (NO_COLOR turns `auto` off)')
            [CompletionResult]::new('--revoke', '--revoke', [CompletionResultType]::ParameterName, 'Also revoke the tokens at the network')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required when stdin is not a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required when stdin is not a terminal)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors and requested data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors and requested data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what happens on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what happens on stderr (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'sbctl;profiles;edit' {
            [CompletionResult]::new('--owner', '--owner', [CompletionResultType]::ParameterName, 'Whom to contact about it: an e-mail address; "" removes the owner')
            [CompletionResult]::new('--tag', '--tag', [CompletionResultType]::ParameterName, 'Set a tag, key=value (as client=acme); repeat for more')
            [CompletionResult]::new('--untag', '--untag', [CompletionResultType]::ParameterName, 'Remove a tag; repeat for more')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Profile database [default: <data dir>/sbctl/sbctl.db]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/sbctl/config.toml]')
            [CompletionResult]::new('--secret-store', '--secret-store', [CompletionResultType]::ParameterName, 'Where tokens and client secrets are kept [default: auto]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output (NO_COLOR turns `auto` off)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors and requested data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors and requested data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what happens on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what happens on stderr (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'sbctl;profiles;import' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Profile database [default: <data dir>/sbctl/sbctl.db]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/sbctl/config.toml]')
            [CompletionResult]::new('--secret-store', '--secret-store', [CompletionResultType]::ParameterName, 'Where tokens and client secrets are kept [default: auto]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output (NO_COLOR turns `auto` off)')
            [CompletionResult]::new('--replace', '--replace', [CompletionResultType]::ParameterName, 'Replace the profiles whose ids exist (each such record must carry its token); still all or nothing')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors and requested data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors and requested data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what happens on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what happens on stderr (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'sbctl;profiles;export' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Profile database [default: <data dir>/sbctl/sbctl.db]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/sbctl/config.toml]')
            [CompletionResult]::new('--secret-store', '--secret-store', [CompletionResultType]::ParameterName, 'Where tokens and client secrets are kept [default: auto]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output (NO_COLOR turns `auto` off)')
            [CompletionResult]::new('--with-secrets', '--with-secrets', [CompletionResultType]::ParameterName, 'Include the tokens (access and refresh) in the clear')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors and requested data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors and requested data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what happens on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what happens on stderr (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'sbctl;profiles;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List profiles and their status (reads the database only: no keyring, no network)')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show everything known about one profile')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a profile: sign in through the browser, or `--with-token` from stdin')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a profile and its tokens')
            [CompletionResult]::new('edit', 'edit', [CompletionResultType]::ParameterValue, 'Set a profile''s owner and tags')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Add many profiles from a JSON array or JSON lines, all or nothing')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write all profiles in the import format (JSON lines) to stdout')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'sbctl;profiles;help;list' {
            break
        }
        'sbctl;profiles;help;show' {
            break
        }
        'sbctl;profiles;help;add' {
            break
        }
        'sbctl;profiles;help;remove' {
            break
        }
        'sbctl;profiles;help;edit' {
            break
        }
        'sbctl;profiles;help;import' {
            break
        }
        'sbctl;profiles;help;export' {
            break
        }
        'sbctl;profiles;help;help' {
            break
        }
        'sbctl;authorize' {
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'The account to authorize, by id or name, where one sign-in reaches several')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'Seal the line to this age recipient: the server''s `sbctl secrets recipient`')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Listen for the redirect on this port of 127.0.0.1 (overrides redirect_port)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up when the sign-in has not finished after this long')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Profile database [default: <data dir>/sbctl/sbctl.db]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/sbctl/config.toml]')
            [CompletionResult]::new('--secret-store', '--secret-store', [CompletionResultType]::ParameterName, 'Where tokens and client secrets are kept [default: auto]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output (NO_COLOR turns `auto` off)')
            [CompletionResult]::new('--no-browser', '--no-browser', [CompletionResultType]::ParameterName, 'Only print the authorize URL; do not start a browser')
            [CompletionResult]::new('--device', '--device', [CompletionResultType]::ParameterName, 'Sign in on any other device instead (RFC 8628): print an address and a code to enter there, and wait until the code expires')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors and requested data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors and requested data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what happens on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what happens on stderr (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'sbctl;reauth' {
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Listen for the redirect on this port of 127.0.0.1 (overrides redirect_port)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up when the sign-in has not finished after this long')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Profile database [default: <data dir>/sbctl/sbctl.db]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/sbctl/config.toml]')
            [CompletionResult]::new('--secret-store', '--secret-store', [CompletionResultType]::ParameterName, 'Where tokens and client secrets are kept [default: auto]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output (NO_COLOR turns `auto` off)')
            [CompletionResult]::new('--no-browser', '--no-browser', [CompletionResultType]::ParameterName, 'Only print the authorize URL; do not start a browser')
            [CompletionResult]::new('--device', '--device', [CompletionResultType]::ParameterName, 'Sign in on any other device instead (RFC 8628): print an address and a code to enter there, and wait until the code expires')
            [CompletionResult]::new('--allow-account-change', '--allow-account-change', [CompletionResultType]::ParameterName, 'Accept a sign-in as a different account than the profile''s')
            [CompletionResult]::new('--with-token', '--with-token', [CompletionResultType]::ParameterName, 'Read the sign-in from stdin instead of opening a browser: a line of `sbctl authorize`, a raw access token or a JSON token response')
            [CompletionResult]::new('--only-this', '--only-this', [CompletionResultType]::ParameterName, 'Renew only this profile, not the others the same sign-in reaches (the other Pages of one Facebook user)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors and requested data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors and requested data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what happens on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what happens on stderr (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'sbctl;refresh' {
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Renewals at once [default: `concurrency` from the config, 8]')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Profile database [default: <data dir>/sbctl/sbctl.db]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/sbctl/config.toml]')
            [CompletionResult]::new('--secret-store', '--secret-store', [CompletionResultType]::ParameterName, 'Where tokens and client secrets are kept [default: auto]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output (NO_COLOR turns `auto` off)')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Every profile')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Renew every renewable token, due or not')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print what would be done, and do nothing')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON instead of a summary')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors and requested data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors and requested data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what happens on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what happens on stderr (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'sbctl;token' {
            [CompletionResult]::new('--min-valid', '--min-valid', [CompletionResultType]::ParameterName, 'Renew first when the token expires within this')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Profile database [default: <data dir>/sbctl/sbctl.db]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/sbctl/config.toml]')
            [CompletionResult]::new('--secret-store', '--secret-store', [CompletionResultType]::ParameterName, 'Where tokens and client secrets are kept [default: auto]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output (NO_COLOR turns `auto` off)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors and requested data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors and requested data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what happens on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what happens on stderr (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'sbctl;check' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Profile database [default: <data dir>/sbctl/sbctl.db]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/sbctl/config.toml]')
            [CompletionResult]::new('--secret-store', '--secret-store', [CompletionResultType]::ParameterName, 'Where tokens and client secrets are kept [default: auto]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output (NO_COLOR turns `auto` off)')
            [CompletionResult]::new('--online', '--online', [CompletionResultType]::ParameterName, 'Validate every token with its provider (introspection or userinfo)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON (the profiles needing attention) instead of a table')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors and requested data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors and requested data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what happens on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what happens on stderr (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'sbctl;providers' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Profile database [default: <data dir>/sbctl/sbctl.db]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/sbctl/config.toml]')
            [CompletionResult]::new('--secret-store', '--secret-store', [CompletionResultType]::ParameterName, 'Where tokens and client secrets are kept [default: auto]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output (NO_COLOR turns `auto` off)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors and requested data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors and requested data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what happens on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what happens on stderr (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the built-in networks and the providers from the config file')
            [CompletionResult]::new('set-secret', 'set-secret', [CompletionResultType]::ParameterValue, 'Store a provider''s client secret, read from stdin (never from the command line)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'sbctl;providers;list' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Profile database [default: <data dir>/sbctl/sbctl.db]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/sbctl/config.toml]')
            [CompletionResult]::new('--secret-store', '--secret-store', [CompletionResultType]::ParameterName, 'Where tokens and client secrets are kept [default: auto]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output (NO_COLOR turns `auto` off)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON instead of a table')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors and requested data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors and requested data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what happens on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what happens on stderr (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'sbctl;providers;set-secret' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Profile database [default: <data dir>/sbctl/sbctl.db]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/sbctl/config.toml]')
            [CompletionResult]::new('--secret-store', '--secret-store', [CompletionResultType]::ParameterName, 'Where tokens and client secrets are kept [default: auto]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output (NO_COLOR turns `auto` off)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors and requested data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors and requested data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what happens on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what happens on stderr (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'sbctl;providers;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the built-in networks and the providers from the config file')
            [CompletionResult]::new('set-secret', 'set-secret', [CompletionResultType]::ParameterValue, 'Store a provider''s client secret, read from stdin (never from the command line)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'sbctl;providers;help;list' {
            break
        }
        'sbctl;providers;help;set-secret' {
            break
        }
        'sbctl;providers;help;help' {
            break
        }
        'sbctl;secrets' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Profile database [default: <data dir>/sbctl/sbctl.db]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/sbctl/config.toml]')
            [CompletionResult]::new('--secret-store', '--secret-store', [CompletionResultType]::ParameterName, 'Where tokens and client secrets are kept [default: auto]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output (NO_COLOR turns `auto` off)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors and requested data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors and requested data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what happens on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what happens on stderr (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('rekey', 'rekey', [CompletionResultType]::ParameterValue, 'Rotate the file store''s age key: every secret is sealed again, under a new data key')
            [CompletionResult]::new('recipient', 'recipient', [CompletionResultType]::ParameterValue, 'Print this host''s age recipient (made on first use), for `sbctl authorize --to` on a machine with a browser')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'sbctl;secrets;rekey' {
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'The new age key file (`age-keygen -o KEY`, mode 600); the current key comes from SBCTL_SECRETS_KEY_FILE, SBCTL_SECRETS_KEY or secrets_key_file')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Profile database [default: <data dir>/sbctl/sbctl.db]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/sbctl/config.toml]')
            [CompletionResult]::new('--secret-store', '--secret-store', [CompletionResultType]::ParameterName, 'Where tokens and client secrets are kept [default: auto]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output (NO_COLOR turns `auto` off)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors and requested data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors and requested data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what happens on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what happens on stderr (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'sbctl;secrets;recipient' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Profile database [default: <data dir>/sbctl/sbctl.db]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/sbctl/config.toml]')
            [CompletionResult]::new('--secret-store', '--secret-store', [CompletionResultType]::ParameterName, 'Where tokens and client secrets are kept [default: auto]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output (NO_COLOR turns `auto` off)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors and requested data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors and requested data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what happens on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what happens on stderr (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'sbctl;secrets;help' {
            [CompletionResult]::new('rekey', 'rekey', [CompletionResultType]::ParameterValue, 'Rotate the file store''s age key: every secret is sealed again, under a new data key')
            [CompletionResult]::new('recipient', 'recipient', [CompletionResultType]::ParameterValue, 'Print this host''s age recipient (made on first use), for `sbctl authorize --to` on a machine with a browser')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'sbctl;secrets;help;rekey' {
            break
        }
        'sbctl;secrets;help;recipient' {
            break
        }
        'sbctl;secrets;help;help' {
            break
        }
        'sbctl;doctor' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Profile database [default: <data dir>/sbctl/sbctl.db]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/sbctl/config.toml]')
            [CompletionResult]::new('--secret-store', '--secret-store', [CompletionResultType]::ParameterName, 'Where tokens and client secrets are kept [default: auto]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output (NO_COLOR turns `auto` off)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors and requested data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors and requested data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what happens on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what happens on stderr (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'sbctl;metrics' {
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write to FILE (replaced atomically, mode 0644) instead of stdout, e.g. /var/lib/prometheus/node-exporter/sbctl.prom')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Profile database [default: <data dir>/sbctl/sbctl.db]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/sbctl/config.toml]')
            [CompletionResult]::new('--secret-store', '--secret-store', [CompletionResultType]::ParameterName, 'Where tokens and client secrets are kept [default: auto]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output (NO_COLOR turns `auto` off)')
            [CompletionResult]::new('--fleet-only', '--fleet-only', [CompletionResultType]::ParameterName, 'Only the fleet''s totals, no series per profile (up to nine a profile: a fleet of a million would be millions of series, more than most Prometheus set-ups take)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors and requested data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors and requested data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what happens on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what happens on stderr (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'sbctl;report' {
            [CompletionResult]::new('--html', '--html', [CompletionResultType]::ParameterName, 'Write the page to FILE (replaced atomically)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Profile database [default: <data dir>/sbctl/sbctl.db]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/sbctl/config.toml]')
            [CompletionResult]::new('--secret-store', '--secret-store', [CompletionResultType]::ParameterName, 'Where tokens and client secrets are kept [default: auto]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output (NO_COLOR turns `auto` off)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors and requested data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors and requested data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what happens on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what happens on stderr (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'sbctl;completions' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Profile database [default: <data dir>/sbctl/sbctl.db]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/sbctl/config.toml]')
            [CompletionResult]::new('--secret-store', '--secret-store', [CompletionResultType]::ParameterName, 'Where tokens and client secrets are kept [default: auto]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output (NO_COLOR turns `auto` off)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors and requested data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors and requested data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what happens on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what happens on stderr (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'sbctl;man' {
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Write sbctl.1 and a page for each command (sbctl-refresh.1, ...) into DIR (e.g. /usr/local/share/man/man1) instead of printing sbctl(1)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Profile database [default: <data dir>/sbctl/sbctl.db]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/sbctl/config.toml]')
            [CompletionResult]::new('--secret-store', '--secret-store', [CompletionResultType]::ParameterName, 'Where tokens and client secrets are kept [default: auto]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output (NO_COLOR turns `auto` off)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors and requested data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors and requested data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what happens on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what happens on stderr (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'sbctl;help' {
            [CompletionResult]::new('profiles', 'profiles', [CompletionResultType]::ParameterValue, 'List, show, add, remove, import and export profiles')
            [CompletionResult]::new('authorize', 'authorize', [CompletionResultType]::ParameterValue, 'Sign in where the browser is and print the result as one line, for `reauth --with-token` on a server; keeps nothing here')
            [CompletionResult]::new('reauth', 'reauth', [CompletionResultType]::ParameterValue, 'Re-authorize a profile in the browser (it must sign in as the same account)')
            [CompletionResult]::new('refresh', 'refresh', [CompletionResultType]::ParameterValue, 'Renew tokens that are due (for cron), validate those without expiry')
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Print a profile''s access token on stdout, for other tools to post with')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'List the profiles that need attention (local state; with --online, ask each provider)')
            [CompletionResult]::new('providers', 'providers', [CompletionResultType]::ParameterValue, 'List providers and store their client secrets')
            [CompletionResult]::new('secrets', 'secrets', [CompletionResultType]::ParameterValue, 'Rotate the age key that encrypts the file secret store')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Check the database, the secret store and the providers'' configuration')
            [CompletionResult]::new('metrics', 'metrics', [CompletionResultType]::ParameterValue, 'Print the fleet''s state as Prometheus metrics (reads the database only)')
            [CompletionResult]::new('report', 'report', [CompletionResultType]::ParameterValue, 'Write a one-page HTML report: profiles by status and a deadline timeline')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the manual page (roff), or write every command''s page with --dir (e.g. `sbctl man --dir ~/.local/share/man/man1`)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'sbctl;help;profiles' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List profiles and their status (reads the database only: no keyring, no network)')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show everything known about one profile')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a profile: sign in through the browser, or `--with-token` from stdin')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a profile and its tokens')
            [CompletionResult]::new('edit', 'edit', [CompletionResultType]::ParameterValue, 'Set a profile''s owner and tags')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Add many profiles from a JSON array or JSON lines, all or nothing')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write all profiles in the import format (JSON lines) to stdout')
            break
        }
        'sbctl;help;profiles;list' {
            break
        }
        'sbctl;help;profiles;show' {
            break
        }
        'sbctl;help;profiles;add' {
            break
        }
        'sbctl;help;profiles;remove' {
            break
        }
        'sbctl;help;profiles;edit' {
            break
        }
        'sbctl;help;profiles;import' {
            break
        }
        'sbctl;help;profiles;export' {
            break
        }
        'sbctl;help;authorize' {
            break
        }
        'sbctl;help;reauth' {
            break
        }
        'sbctl;help;refresh' {
            break
        }
        'sbctl;help;token' {
            break
        }
        'sbctl;help;check' {
            break
        }
        'sbctl;help;providers' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the built-in networks and the providers from the config file')
            [CompletionResult]::new('set-secret', 'set-secret', [CompletionResultType]::ParameterValue, 'Store a provider''s client secret, read from stdin (never from the command line)')
            break
        }
        'sbctl;help;providers;list' {
            break
        }
        'sbctl;help;providers;set-secret' {
            break
        }
        'sbctl;help;secrets' {
            [CompletionResult]::new('rekey', 'rekey', [CompletionResultType]::ParameterValue, 'Rotate the file store''s age key: every secret is sealed again, under a new data key')
            [CompletionResult]::new('recipient', 'recipient', [CompletionResultType]::ParameterValue, 'Print this host''s age recipient (made on first use), for `sbctl authorize --to` on a machine with a browser')
            break
        }
        'sbctl;help;secrets;rekey' {
            break
        }
        'sbctl;help;secrets;recipient' {
            break
        }
        'sbctl;help;doctor' {
            break
        }
        'sbctl;help;metrics' {
            break
        }
        'sbctl;help;report' {
            break
        }
        'sbctl;help;completions' {
            break
        }
        'sbctl;help;man' {
            break
        }
        'sbctl;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
